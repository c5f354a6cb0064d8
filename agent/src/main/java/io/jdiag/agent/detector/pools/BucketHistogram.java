package io.jdiag.agent.detector.pools;

import io.jdiag.agent.export.LatencyHistogram;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram cheap enough for every borrow and return of a pool: the bucket of a value is
 * computed from its highest bit (no search), and recording it is one {@link LongAdder} increment, no
 * allocation. (An HdrHistogram {@code Recorder}, as the other detectors use, costs four to six atomic
 * operations per value, and a pool borrow/return pair records two values; on the virtual machines this
 * was measured on, each atomic operation costs about 20 ns.)
 *
 * <p>Buckets are log-linear, like HdrHistogram's: each power of two from 1 µs to 68 s is split into
 * {@value #SUB} equal parts, so a value is known within 1/{@value #SUB} of itself (±6%). Everything
 * derived is derived from the buckets, as HdrHistogram-based histograms do: the sum from each bucket's
 * middle, quantiles by interpolation inside a bucket, and the exported Prometheus buckets
 * ({@link LatencyHistogram#BUCKETS}) from the buckets whose middle falls under each bound.
 */
final class BucketHistogram {
    static final double[] BOUNDS = LatencyHistogram.BUCKETS;
    static final int SUB_BITS = 3;
    static final int SUB = 1 << SUB_BITS;
    /** 2^10 ns ≈ 1 µs: below, one bucket. */
    static final int MIN_EXPONENT = 10;
    /** 2^36 ns ≈ 68.7 s: above, one bucket. */
    static final int MAX_EXPONENT = 36;
    static final int BUCKETS = 1 + (MAX_EXPONENT - MIN_EXPONENT + 1) * SUB + 1;

    private final LongAdder[] counts = new LongAdder[BUCKETS];

    BucketHistogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** Any thread. */
    void record(long nanos) {
        counts[index(nanos)].increment();
    }

    static int index(long nanos) {
        if (nanos < (1L << MIN_EXPONENT)) {
            return 0;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(nanos);
        if (exponent > MAX_EXPONENT) {
            return BUCKETS - 1;
        }
        return 1 + (exponent - MIN_EXPONENT) * SUB + (int) ((nanos >>> (exponent - SUB_BITS)) & (SUB - 1));
    }

    /** Lower bound of a bucket, in nanoseconds. */
    static long lower(int index) {
        if (index == 0) {
            return 0;
        }
        if (index == BUCKETS - 1) {
            return 1L << (MAX_EXPONENT + 1);
        }
        int exponent = MIN_EXPONENT + (index - 1) / SUB;
        int sub = (index - 1) % SUB;
        return (long) (SUB + sub) << (exponent - SUB_BITS);
    }

    /** Upper bound of a bucket, in nanoseconds (the last one's is taken as twice its lower bound). */
    static long upper(int index) {
        if (index == BUCKETS - 1) {
            return 2 * lower(index);
        }
        return lower(index + 1);
    }

    static double middleSeconds(int index) {
        return (lower(index) + upper(index)) / 2e9;
    }

    Snapshot snapshot() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return new Snapshot(c);
    }

    /** Appends {@code name_bucket}, {@code _count}, {@code _sum} samples. */
    void addSamples(String name, List<String> labelNames, List<String> labelValues, List<Sample> out) {
        Snapshot s = snapshot();
        List<String> names = new ArrayList<>(labelNames);
        names.add("le");
        long cumulative = 0;
        int fine = 0;
        for (int i = 0; i <= BOUNDS.length; i++) {
            double bound = i < BOUNDS.length ? BOUNDS[i] : Double.POSITIVE_INFINITY;
            while (fine < BUCKETS && middleSeconds(fine) <= bound) {
                cumulative += s.counts[fine++];
            }
            List<String> values = new ArrayList<>(labelValues);
            values.add(i < BOUNDS.length ? Collector.doubleToGoString(BOUNDS[i]) : "+Inf");
            out.add(new Sample(name + "_bucket", names, values, cumulative));
        }
        out.add(new Sample(name + "_count", labelNames, labelValues, cumulative));
        out.add(new Sample(name + "_sum", labelNames, labelValues, s.sumSeconds()));
    }

    /** Counts per bucket at one moment. */
    static final class Snapshot {
        final long[] counts;

        Snapshot(long[] counts) {
            this.counts = counts;
        }

        long count() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        /** The sum, from each bucket's middle. */
        double sumSeconds() {
            double sum = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    sum += counts[i] * middleSeconds(i);
                }
            }
            return sum;
        }

        /** What was recorded between {@code earlier} and this one. */
        Snapshot minus(Snapshot earlier) {
            long[] c = new long[counts.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = counts[i] - (earlier == null ? 0 : earlier.counts[i]);
            }
            return new Snapshot(c);
        }

        /** Mean in seconds, NaN when empty. */
        double meanSeconds() {
            long n = count();
            return n == 0 ? Double.NaN : sumSeconds() / n;
        }

        /** The {@code q} quantile in seconds, interpolated linearly inside its bucket; NaN when empty. */
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
                    double within = Math.max(0, Math.min(1, (rank - seen) / c));
                    return (lower(i) + (upper(i) - lower(i)) * within) / 1e9;
                }
                seen += c;
            }
            return upper(BUCKETS - 1) / 1e9;
        }
    }
}
