package io.jdiag.agent.detector.pools;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code jdiag_pool_*{pool,kind}}, built at scrape time from the pools the analyzer knows: histograms and
 * counters that application threads feed, gauges from the agent thread's last reading of each pool's own
 * statistics. Bounded by {@link PoolsAnalyzer#MAX_POOLS}. A generic data source has no size to tell:
 * it has no gauge series.
 */
final class PoolsMetrics extends Collector {
    static final String ACQUIRE = "jdiag_pool_acquire_seconds";
    static final String HELD = "jdiag_pool_connection_held_seconds";
    private static final List<String> LABELS = Arrays.asList("pool", "kind");
    private static final List<String> STATE_LABELS = Arrays.asList("pool", "kind", "state");

    private final PoolsAnalyzer analyzer;

    PoolsMetrics(PoolsAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    PoolsMetrics registerIn(CollectorRegistry registry) {
        register(registry);
        return this;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> acquire = new ArrayList<>();
        List<MetricFamilySamples.Sample> held = new ArrayList<>();
        GaugeMetricFamily connections = new GaugeMetricFamily("jdiag_pool_connections",
                "Connections of the pool in use (active) and idle, as the pool tells", STATE_LABELS);
        GaugeMetricFamily max = new GaugeMetricFamily("jdiag_pool_max_connections",
                "Most connections the pool opens", LABELS);
        GaugeMetricFamily pending = new GaugeMetricFamily("jdiag_pool_pending_threads",
                "Threads waiting for a connection of the pool", LABELS);
        CounterMetricFamily exhausted = new CounterMetricFamily("jdiag_pool_exhausted_total",
                "Acquires that waited longer than pools.acquire.threshold", LABELS);
        CounterMetricFamily timeouts = new CounterMetricFamily("jdiag_pool_acquire_timeouts_total",
                "Acquires that gave up waiting for a connection", LABELS);
        CounterMetricFamily leaks = new CounterMetricFamily("jdiag_pool_leak_suspected_total",
                "Connections held longer than pools.leak.threshold, or dropped without being returned", LABELS);
        for (PoolState p : analyzer.pools()) {
            List<String> v = Arrays.asList(p.name, p.kind());
            p.acquire.addSamples(ACQUIRE, LABELS, v, acquire);
            p.held.addSamples(HELD, LABELS, v, held);
            exhausted.addMetric(v, p.exhausted.sum());
            timeouts.addMetric(v, p.timeouts.sum());
            leaks.addMetric(v, p.leaks.sum());
            PoolLibrary.Stats s = p.stats;
            if (p.library.hasStats() && s.known()) {
                connections.addMetric(Arrays.asList(p.name, p.kind(), "active"), Math.max(0, s.active));
                connections.addMetric(Arrays.asList(p.name, p.kind(), "idle"), Math.max(0, s.idle));
                max.addMetric(v, s.max);
                pending.addMetric(v, Math.max(0, s.pending));
            }
        }
        return Arrays.asList(
                new MetricFamilySamples(ACQUIRE, Type.HISTOGRAM, "Time to acquire a connection from the pool", acquire),
                new MetricFamilySamples(HELD, Type.HISTOGRAM, "Time a connection was held before it went back to the pool", held),
                connections, max, pending, exhausted, timeouts, leaks);
    }
}
