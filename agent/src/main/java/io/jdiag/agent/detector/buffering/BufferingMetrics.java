package io.jdiag.agent.detector.buffering;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code jdiag_buffering_bytes{source}} (histogram of whole in-memory reads) and
 * {@code jdiag_buffering_large_total{source}}. One series per {@link Source}, made up front: no label
 * lookup on an application thread.
 */
final class BufferingMetrics extends Collector {
    static final String BYTES = "jdiag_buffering_bytes";
    static final String LARGE = "jdiag_buffering_large_total";
    private static final List<String> LABELS = Collections.singletonList("source");

    private final SizeHistogram[] bytes = new SizeHistogram[Source.ALL.length];
    private final LongAdder[] large = new LongAdder[Source.ALL.length];

    BufferingMetrics() {
        for (int i = 0; i < Source.ALL.length; i++) {
            bytes[i] = new SizeHistogram(SizeHistogram.BUCKETS);
            large[i] = new LongAdder();
        }
    }

    BufferingMetrics registerIn(CollectorRegistry registry) {
        register(registry);
        return this;
    }

    void observe(Source s, long size) {
        bytes[s.ordinal()].observe(size);
    }

    void large(Source s) {
        large[s.ordinal()].increment();
    }

    long largeCount(Source s) {
        return large[s.ordinal()].sum();
    }

    long observedCount(Source s) {
        return bytes[s.ordinal()].count();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        CounterMetricFamily largeFamily = new CounterMetricFamily(LARGE,
                "Whole in-memory reads and buffers larger than buffering.threshold, by source", LABELS);
        for (Source s : Source.ALL) {
            List<String> v = Collections.singletonList(s.label);
            bytes[s.ordinal()].addSamples(BYTES, LABELS, v, samples);
            largeFamily.addMetric(v, large[s.ordinal()].sum());
        }
        return Arrays.asList(
                new MetricFamilySamples(BYTES, Type.HISTOGRAM,
                        "Sizes of whole in-memory reads (readAllBytes, whole response bodies, aggregated messages;"
                                + " ByteArrayOutputStreams as they grow past buffering.threshold), by source", samples),
                largeFamily);
    }
}
