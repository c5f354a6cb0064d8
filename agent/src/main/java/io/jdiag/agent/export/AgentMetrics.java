package io.jdiag.agent.export;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The agent's own metrics: info, dropped events, instrumentation errors, findings by detector and
 * kind. Built at scrape time from plain counters (simpleclient's {@code Counter} would add a
 * {@code _created} series per label set that nobody here needs).
 */
public final class AgentMetrics extends Collector {
    private final String version;
    private final String mode;
    private final LongSupplier eventsDropped;
    private final LongSupplier instrumentationErrors;
    /** Key "detector\u0000kind"; bounded by the fixed sets of detectors and kinds. */
    private final Map<String, LongAdder> findings = new ConcurrentHashMap<>();

    public AgentMetrics(CollectorRegistry registry, String version, String mode,
                        LongSupplier eventsDropped, LongSupplier instrumentationErrors) {
        this.version = version;
        this.mode = mode;
        this.eventsDropped = eventsDropped;
        this.instrumentationErrors = instrumentationErrors;
        register(registry);
    }

    /** Called on the agent thread for every recorded occurrence. */
    public void finding(String detector, String kind) {
        findings.computeIfAbsent(detector + '\u0000' + kind, k -> new LongAdder()).increment();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily info = new GaugeMetricFamily("jdiag_agent_info",
                "jdiag agent build and attach mode", Arrays.asList("version", "jdk", "mode"));
        info.addMetric(Arrays.asList(version, System.getProperty("java.version"), mode), 1);
        CounterMetricFamily findingsFamily = new CounterMetricFamily("jdiag_findings_total",
                "Finding occurrences recorded, by detector and kind", Arrays.asList("detector", "kind"));
        for (Map.Entry<String, LongAdder> e : findings.entrySet()) {
            String[] dk = e.getKey().split("\u0000", 2);
            findingsFamily.addMetric(Arrays.asList(dk[0], dk[1]), e.getValue().sum());
        }
        return Arrays.asList(info,
                new CounterMetricFamily("jdiag_agent_events_dropped_total",
                        "Events dropped because the queue to the agent thread was full", eventsDropped.getAsLong()),
                new CounterMetricFamily("jdiag_agent_instrumentation_errors_total",
                        "Classes the agent failed to instrument", instrumentationErrors.getAsLong()),
                findingsFamily);
    }
}
