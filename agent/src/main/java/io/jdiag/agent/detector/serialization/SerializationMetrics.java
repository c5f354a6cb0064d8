package io.jdiag.agent.detector.serialization;

import io.jdiag.bootstrap.SerializationHooks;
import io.jdiag.bootstrap.ThreadCounters;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code jdiag_serialization_seconds{library,operation}} and {@code jdiag_serialization_bytes{library,operation}}
 * (histograms), {@code jdiag_serialization_slow_total{library,operation,type}}.
 *
 * <p>The histograms are recorded by each application thread into its own {@link ThreadCounters} with
 * plain stores ({@link #record}): no atomic instruction per call, which on the machines measured costs as
 * much as the rest of the hook. A scrape sums the threads' counters ({@link #totals}), folding those of
 * finished threads into {@link #retired}. Slow calls' types are capped at {@link #MAX_TYPES}, then
 * {@code other}; they are rare, and counted with {@code LongAdder}s.
 */
final class SerializationMetrics extends Collector {
    static final String SECONDS = "jdiag_serialization_seconds";
    static final String BYTES = "jdiag_serialization_bytes";
    static final String SLOW = "jdiag_serialization_slow_total";
    static final int MAX_TYPES = 50;
    static final String OTHER = "other";
    static final String[] LIBRARIES = {"jackson", "gson", "java"};
    static final String[] OPERATIONS = {"serialize", "deserialize"};
    static final int SERIES = LIBRARIES.length * OPERATIONS.length;

    /** Nanosecond bounds of the latency buckets shared by every jdiag latency histogram (1 ms … 30 s). */
    static final long[] SECONDS_BUCKETS = {1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L, 50_000_000L,
        100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L, 5_000_000_000L, 10_000_000_000L,
        30_000_000_000L};
    /** Byte bounds: 256 B … 256 MiB. */
    static final long[] BYTES_BUCKETS = {256, 1L << 10, 4L << 10, 16L << 10, 64L << 10, 256L << 10, 1L << 20, 4L << 20,
        16L << 20, 64L << 20, 256L << 20};

    // Layout of one series in a thread's counters: seconds buckets (+Inf last), seconds sum (ns),
    // bytes buckets (+Inf last), bytes sum.
    static final int SECONDS_SUM = SECONDS_BUCKETS.length + 1;
    static final int BYTES_FIRST = SECONDS_SUM + 1;
    static final int BYTES_SUM = BYTES_FIRST + BYTES_BUCKETS.length + 1;
    static final int SERIES_SLOTS = BYTES_SUM + 1;
    static final int SLOTS = SERIES * SERIES_SLOTS;

    static {
        if (SLOTS > SerializationHooks.COUNTER_SLOTS) {
            throw new AssertionError("SerializationHooks.COUNTER_SLOTS is too small for " + SLOTS);
        }
    }

    private static final List<String> LABELS = Arrays.asList("library", "operation");
    private static final List<String> SLOW_LABELS = Arrays.asList("library", "operation", "type");

    /** Type label → slow calls per library × operation. */
    private final Map<String, LongAdder[]> slowByType = new ConcurrentHashMap<>();
    /** Counters of threads that finished, folded in. Guarded by this. */
    private final long[] retired = new long[SLOTS];
    /** The hooks' install whose counters are ours; -1 until bound. */
    private volatile int generation = -1;

    SerializationMetrics registerIn(CollectorRegistry registry) {
        register(registry);
        return this;
    }

    /** Counts the counters of the hooks' current install as ours (call right after installing the sink). */
    void bind(int hooksGeneration) {
        generation = hooksGeneration;
    }

    static int series(int library, int operation) {
        return library * OPERATIONS.length + operation;
    }

    /** On the calling application thread, into its own counters. */
    static void record(long[] counters, int library, int operation, long nanos, long size) {
        int base = series(library, operation) * SERIES_SLOTS;
        int i = 0;
        while (i < SECONDS_BUCKETS.length && nanos > SECONDS_BUCKETS[i]) {
            i++;
        }
        counters[base + i]++;
        counters[base + SECONDS_SUM] += nanos;
        if (size >= 0) {
            int j = 0;
            while (j < BYTES_BUCKETS.length && size > BYTES_BUCKETS[j]) {
                j++;
            }
            counters[base + BYTES_FIRST + j]++;
            counters[base + BYTES_SUM] += size;
        }
    }

    /**
     * The sum over every thread's counters of our install; those of finished threads are folded into
     * {@link #retired} and dropped, as are counters of other installs (a detached agent's, a warm-up's).
     */
    synchronized long[] totals() {
        long[] sum = retired.clone();
        int g = generation;
        for (Iterator<ThreadCounters> it = SerializationHooks.threadCounters().iterator(); it.hasNext(); ) {
            ThreadCounters c = it.next();
            if (c.generation != g) {
                if (c.generation < g) {
                    it.remove();
                }
                continue;
            }
            Thread t = c.thread.get();
            boolean finished = t == null || !t.isAlive();
            for (int k = 0; k < SLOTS; k++) {
                sum[k] += c.values[k];
                if (finished) {
                    retired[k] += c.values[k];
                }
            }
            if (finished) {
                it.remove();
            }
        }
        return sum;
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
        LongAdder[] a = new LongAdder[SERIES];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** Calls of one series in {@code totals}. */
    static long calls(long[] totals, int library, int operation) {
        int base = series(library, operation) * SERIES_SLOTS;
        long n = 0;
        for (int i = 0; i <= SECONDS_BUCKETS.length; i++) {
            n += totals[base + i];
        }
        return n;
    }

    long calls(int library, int operation) {
        return calls(totals(), library, operation);
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
        long[] totals = totals();
        List<MetricFamilySamples.Sample> secondsSamples = new ArrayList<>();
        List<MetricFamilySamples.Sample> bytesSamples = new ArrayList<>();
        CounterMetricFamily slow = new CounterMetricFamily(SLOW,
                "(De)serialization calls slower than serialization.threshold, by top-level type", SLOW_LABELS);
        for (int l = 0; l < LIBRARIES.length; l++) {
            for (int o = 0; o < OPERATIONS.length; o++) {
                List<String> v = Arrays.asList(LIBRARIES[l], OPERATIONS[o]);
                int base = series(l, o) * SERIES_SLOTS;
                histogram(SECONDS, v, SECONDS_BUCKETS, 1e9, totals, base, secondsSamples);
                histogram(BYTES, v, BYTES_BUCKETS, 1, totals, base + BYTES_FIRST, bytesSamples);
                for (Map.Entry<String, LongAdder[]> e : slowByType.entrySet()) {
                    long n = e.getValue()[series(l, o)].sum();
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

    /** Appends {@code name_bucket/_count/_sum}; {@code first} is the series' first bucket, its sum right after the +Inf one. */
    private static void histogram(String name, List<String> labelValues, long[] bounds, double divisor, long[] totals,
                                  int first, List<MetricFamilySamples.Sample> out) {
        List<String> names = Arrays.asList("library", "operation", "le");
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += totals[first + i];
            List<String> values = new ArrayList<>(labelValues);
            values.add(i < bounds.length ? Collector.doubleToGoString(bounds[i] / divisor) : "+Inf");
            out.add(new MetricFamilySamples.Sample(name + "_bucket", names, values, cumulative));
        }
        out.add(new MetricFamilySamples.Sample(name + "_count", LABELS, labelValues, cumulative));
        out.add(new MetricFamilySamples.Sample(name + "_sum", LABELS, labelValues, totals[first + bounds.length + 1] / divisor));
    }
}
