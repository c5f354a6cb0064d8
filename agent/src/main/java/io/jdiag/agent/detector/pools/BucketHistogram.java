package io.jdiag.agent.detector.pools;

import io.jdiag.agent.export.LatencyHistogram;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram cheap enough for every borrow and return of a pool: a bucket index found by a
 * few comparisons and two {@link LongAdder} increments, no allocation. (An HdrHistogram
 * {@code Recorder}, as the other detectors use, costs four to six atomic operations per value; a pool
 * borrow/return pair records two values.)
 *
 * <p>The exported buckets are {@link LatencyHistogram#BUCKETS}; each is kept split into
 * {@link #SPLIT} equal parts, so that quantiles for findings (acquire p99, hold p50) are interpolated
 * within a quarter of a bucket rather than a whole one.
 */
final class BucketHistogram {
    static final double[] BOUNDS = LatencyHistogram.BUCKETS;
    static final int SPLIT = 4;
    /** Upper bounds of the fine buckets, in nanoseconds: a linear scan finds short values in one or two steps. */
    private static final long[] FINE_UPPER_NANOS = new long[BOUNDS.length * SPLIT];

    static {
        for (int i = 0; i < FINE_UPPER_NANOS.length; i++) {
            FINE_UPPER_NANOS[i] = Math.round(Snapshot.range(i)[1] * 1e9);
        }
    }

    /** {@code BOUNDS.length * SPLIT} fine buckets, then one for everything above the last bound. */
    private final LongAdder[] counts = new LongAdder[BOUNDS.length * SPLIT + 1];
    private final LongAdder sumNanos = new LongAdder();

    BucketHistogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Any thread. */
    void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)].increment();
        sumNanos.add(v);
    }

    static int index(long nanos) {
        int i = 0;
        while (i < FINE_UPPER_NANOS.length && nanos > FINE_UPPER_NANOS[i]) {
            i++;
        }
        return i;
    }

    /** A consistent-enough copy: counts per fine bucket and the sum, for deltas between two moments. */
    Snapshot snapshot() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return new Snapshot(c, sumNanos.sum());
    }

    /** Appends {@code name_bucket}, {@code _count}, {@code _sum} samples. */
    void addSamples(String name, List<String> labelNames, List<String> labelValues, List<Sample> out) {
        Snapshot s = snapshot();
        List<String> names = new ArrayList<>(labelNames);
        names.add("le");
        long cumulative = 0;
        for (int i = 0; i <= BOUNDS.length; i++) {
            if (i < BOUNDS.length) {
                for (int p = 0; p < SPLIT; p++) {
                    cumulative += s.counts[i * SPLIT + p];
                }
            } else {
                cumulative += s.counts[BOUNDS.length * SPLIT];
            }
            List<String> values = new ArrayList<>(labelValues);
            values.add(i < BOUNDS.length ? Collector.doubleToGoString(BOUNDS[i]) : "+Inf");
            out.add(new Sample(name + "_bucket", names, values, cumulative));
        }
        out.add(new Sample(name + "_count", labelNames, labelValues, cumulative));
        out.add(new Sample(name + "_sum", labelNames, labelValues, s.sumNanos / 1e9));
    }

    /** Counts and sum at one moment. */
    static final class Snapshot {
        final long[] counts;
        final long sumNanos;

        Snapshot(long[] counts, long sumNanos) {
            this.counts = counts;
            this.sumNanos = sumNanos;
        }

        long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        /** What was recorded between {@code earlier} and this one. */
        Snapshot minus(Snapshot earlier) {
            long[] c = new long[counts.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = counts[i] - (earlier == null ? 0 : earlier.counts[i]);
            }
            return new Snapshot(c, sumNanos - (earlier == null ? 0 : earlier.sumNanos));
        }

        /** Mean in seconds, NaN when empty. */
        double meanSeconds() {
            long n = count();
            return n == 0 ? Double.NaN : sumNanos / 1e9 / n;
        }

        /**
         * The {@code q} quantile in seconds, interpolated linearly inside its fine bucket (NaN when
         * empty; values above the last bound report that bound).
         */
        double quantileSeconds(double q) {
            long n = count();
            if (n == 0) {
                return Double.NaN;
            }
            double rank = q * n;
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                long c = counts[i];
                if (c > 0 && seen + c >= rank) {
                    if (i == counts.length - 1) {
                        return BOUNDS[BOUNDS.length - 1];
                    }
                    double[] range = range(i);
                    double within = c == 0 ? 1 : Math.max(0, Math.min(1, (rank - seen) / c));
                    return range[0] + (range[1] - range[0]) * within;
                }
                seen += c;
            }
            return BOUNDS[BOUNDS.length - 1];
        }

        /** Lower and upper bound in seconds of a fine bucket. */
        static double[] range(int fine) {
            int bucket = fine / SPLIT;
            int part = fine % SPLIT;
            double lower = bucket == 0 ? 0 : BOUNDS[bucket - 1];
            double width = (BOUNDS[bucket] - lower) / SPLIT;
            return new double[] {lower + part * width, lower + (part + 1) * width};
        }
    }
}
