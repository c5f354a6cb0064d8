package io.jdiag.agent.detector.serialization;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code jdiag_serialization_seconds{library,operation}} and {@code jdiag_serialization_bytes{library,operation}}
 * (histograms), {@code jdiag_serialization_slow_total{library,operation,type}}. The six library × operation
 * series are made up front; slow calls' types are capped at {@link #MAX_TYPES}, then {@code other}.
 */
final class SerializationMetrics extends Collector {
    static final String SECONDS = "jdiag_serialization_seconds";
    static final String BYTES = "jdiag_serialization_bytes";
    static final String SLOW = "jdiag_serialization_slow_total";
    static final int MAX_TYPES = 50;
    static final String OTHER = "other";
    static final String[] LIBRARIES = {"jackson", "gson", "java"};
    static final String[] OPERATIONS = {"serialize", "deserialize"};
    private static final List<String> LABELS = Arrays.asList("library", "operation");
    private static final List<String> SLOW_LABELS = Arrays.asList("library", "operation", "type");

    private final FixedHistogram[] seconds = new FixedHistogram[LIBRARIES.length * OPERATIONS.length];
    private final FixedHistogram[] bytes = new FixedHistogram[LIBRARIES.length * OPERATIONS.length];
    /** Type label → slow calls per library × operation. */
    private final Map<String, LongAdder[]> slowByType = new ConcurrentHashMap<>();

    SerializationMetrics() {
        for (int i = 0; i < seconds.length; i++) {
            seconds[i] = new FixedHistogram(FixedHistogram.SECONDS_BUCKETS, 1e9);
            bytes[i] = new FixedHistogram(FixedHistogram.BYTES_BUCKETS, 1);
        }
    }

    SerializationMetrics registerIn(CollectorRegistry registry) {
        register(registry);
        return this;
    }

    static int series(int library, int operation) {
        return library * OPERATIONS.length + operation;
    }

    /** From any thread. */
    void completed(int library, int operation, long nanos, long size) {
        int i = series(library, operation);
        seconds[i].record(nanos);
        if (size >= 0) {
            bytes[i].record(size);
        }
    }

    /** A slow call of {@code type} (a class name). From any thread; slow calls are rare. */
    void slow(int library, int operation, String type) {
        LongAdder[] counts = slowByType.get(type);
        if (counts == null) {
            String label = slowByType.size() >= MAX_TYPES ? OTHER : type;
            counts = slowByType.computeIfAbsent(label, k -> newCounts());
        }
        counts[series(library, operation)].increment();
    }

    private static LongAdder[] newCounts() {
        LongAdder[] a = new LongAdder[LIBRARIES.length * OPERATIONS.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    long calls(int library, int operation) {
        return seconds[series(library, operation)].count();
    }

    long slowCount(int library, int operation, String type) {
        LongAdder[] counts = slowByType.get(type);
        return counts == null ? 0 : counts[series(library, operation)].sum();
    }

    int typeLabels() {
        return slowByType.size();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> secondsSamples = new ArrayList<>();
        List<MetricFamilySamples.Sample> bytesSamples = new ArrayList<>();
        CounterMetricFamily slow = new CounterMetricFamily(SLOW,
                "(De)serialization calls slower than serialization.threshold, by top-level type", SLOW_LABELS);
        for (int l = 0; l < LIBRARIES.length; l++) {
            for (int o = 0; o < OPERATIONS.length; o++) {
                List<String> v = Arrays.asList(LIBRARIES[l], OPERATIONS[o]);
                int i = series(l, o);
                seconds[i].addSamples(SECONDS, LABELS, v, secondsSamples);
                bytes[i].addSamples(BYTES, LABELS, v, bytesSamples);
                for (Map.Entry<String, LongAdder[]> e : slowByType.entrySet()) {
                    long n = e.getValue()[i].sum();
                    if (n > 0) {
                        slow.addMetric(Arrays.asList(LIBRARIES[l], OPERATIONS[o], e.getKey()), n);
                    }
                }
            }
        }
        return Arrays.asList(
                new MetricFamilySamples(SECONDS, Type.HISTOGRAM,
                        "Time of outermost (de)serialization calls, by library and operation", secondsSamples),
                new MetricFamilySamples(BYTES, Type.HISTOGRAM,
                        "Size of what was produced or read, where the call's result or input is a byte[] or String",
                        bytesSamples),
                slow);
    }
}
