package io.jdiag.agent.detector.serialization;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram with fixed buckets over whole numbers (nanoseconds, bytes): one {@link LongAdder} per
 * bucket and one for the sum. An application thread records with a few comparisons and two
 * uncontended adds — no shared counter that every thread serializing at once would fight over — and
 * the Prometheus samples are built at scrape time, in the exported unit.
 */
final class FixedHistogram {
    /** Nanosecond bounds of the latency buckets shared by every jdiag latency histogram (1 ms … 30 s). */
    static final long[] SECONDS_BUCKETS = {1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L, 50_000_000L,
        100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L, 5_000_000_000L, 10_000_000_000L,
        30_000_000_000L};
    /** Byte bounds: 256 B … 256 MiB. */
    static final long[] BYTES_BUCKETS = {256, 1L << 10, 4L << 10, 16L << 10, 64L << 10, 256L << 10, 1L << 20, 4L << 20,
        16L << 20, 64L << 20, 256L << 20};

    private final long[] bounds;
    /** Recorded units per exported unit: 1e9 for nanoseconds exported as seconds, 1 for bytes. */
    private final double divisor;
    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();

    FixedHistogram(long[] bounds, double divisor) {
        this.bounds = bounds.clone();
        this.divisor = divisor;
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** From any thread. */
    void record(long value) {
        int i = 0;
        while (i < bounds.length && value > bounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(value);
    }

    long count() {
        long n = 0;
        for (LongAdder c : counts) {
            n += c.sum();
        }
        return n;
    }

    /** The sum of what was recorded, in recorded units. */
    long sum() {
        return sum.sum();
    }

    /** Appends {@code name_bucket}, {@code name_count} and {@code name_sum} with these labels. */
    void addSamples(String name, List<String> labelNames, List<String> labelValues, List<Sample> out) {
        List<String> names = new ArrayList<>(labelNames);
        names.add("le");
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += counts[i].sum();
            List<String> values = new ArrayList<>(labelValues);
            values.add(i < bounds.length ? Collector.doubleToGoString(bounds[i] / divisor) : "+Inf");
            out.add(new Sample(name + "_bucket", names, values, cumulative));
        }
        out.add(new Sample(name + "_count", labelNames, labelValues, cumulative));
        out.add(new Sample(name + "_sum", labelNames, labelValues, sum.sum() / divisor));
    }
}
