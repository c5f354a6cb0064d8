package io.jdiag.agent.detector.buffering;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of sizes in bytes with fixed buckets: one {@link LongAdder} per bucket and one for the
 * sum, so an application thread records with a few comparisons and two uncontended adds, and the
 * Prometheus samples are built at scrape time.
 */
final class SizeHistogram {
    /** Upper bounds in bytes: 1 KiB … 1 GiB, with the default threshold (8 MiB) among them. */
    static final long[] BUCKETS = {1L << 10, 16L << 10, 64L << 10, 256L << 10, 1L << 20, 4L << 20, 8L << 20,
        16L << 20, 64L << 20, 256L << 20, 1L << 30};

    private final long[] bounds;
    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();

    SizeHistogram(long[] bounds) {
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** From any thread. */
    void observe(long bytes) {
        int i = 0;
        while (i < bounds.length && bytes > bounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(bytes);
    }

    long count() {
        long n = 0;
        for (LongAdder c : counts) {
            n += c.sum();
        }
        return n;
    }

    /** Appends {@code name_bucket}, {@code name_count} and {@code name_sum} with these labels. */
    void addSamples(String name, List<String> labelNames, List<String> labelValues, List<Sample> out) {
        List<String> names = new ArrayList<>(labelNames);
        names.add("le");
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += counts[i].sum();
            List<String> values = new ArrayList<>(labelValues);
            values.add(i < bounds.length ? Collector.doubleToGoString(bounds[i]) : "+Inf");
            out.add(new Sample(name + "_bucket", names, values, cumulative));
        }
        out.add(new Sample(name + "_count", labelNames, labelValues, cumulative));
        out.add(new Sample(name + "_sum", labelNames, labelValues, sum.sum()));
    }
}
