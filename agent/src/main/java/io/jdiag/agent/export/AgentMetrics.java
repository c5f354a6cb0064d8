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
import java.util.function.Supplier;

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
    private final Supplier<Map<String, Boolean>> detectorsUp;
    /** Key "detector\u0000kind\u0000origin"; bounded by the fixed sets of detectors, kinds and origins. */
    private final Map<String, LongAdder> findings = new ConcurrentHashMap<>();

    public AgentMetrics(CollectorRegistry registry, String version, String mode,
                        LongSupplier eventsDropped, LongSupplier instrumentationErrors,
                        Supplier<Map<String, Boolean>> detectorsUp) {
        this.version = version;
        this.mode = mode;
        this.eventsDropped = eventsDropped;
        this.instrumentationErrors = instrumentationErrors;
        this.detectorsUp = detectorsUp;
        register(registry);
    }

    /** Called on the agent thread for every recorded occurrence. */
    public void finding(String detector, String kind, String origin) {
        findings.computeIfAbsent(detector + '\u0000' + kind + '\u0000' + origin, k -> new LongAdder()).increment();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        GaugeMetricFamily info = new GaugeMetricFamily("jdiag_agent_info",
                "jdiag agent build and attach mode", Arrays.asList("version", "jdk", "mode"));
        info.addMetric(Arrays.asList(version, System.getProperty("java.version"), mode), 1);
        CounterMetricFamily findingsFamily = new CounterMetricFamily("jdiag_findings_total",
                "Finding occurrences recorded, by detector, kind and origin (application code or library internals)",
                Arrays.asList("detector", "kind", "origin"));
        for (Map.Entry<String, LongAdder> e : findings.entrySet()) {
            String[] dko = e.getKey().split("\u0000", 3);
            findingsFamily.addMetric(Arrays.asList(dko[0], dko[1], dko[2]), e.getValue().sum());
        }
        GaugeMetricFamily up = new GaugeMetricFamily("jdiag_agent_detector_up",
                "1 when the detector runs; 0 when it is turned off by configuration or failed (see the report's agent.detectorErrors)",
                Arrays.asList("detector"));
        for (Map.Entry<String, Boolean> d : detectorsUp.get().entrySet()) {
            up.addMetric(Arrays.asList(d.getKey()), d.getValue() ? 1 : 0);
        }
        return Arrays.asList(info,
                new CounterMetricFamily("jdiag_agent_events_dropped_total",
                        "Events dropped because the queue to the agent thread was full", eventsDropped.getAsLong()),
                new CounterMetricFamily("jdiag_agent_instrumentation_errors_total",
                        "Classes the agent failed to instrument", instrumentationErrors.getAsLong()),
                findingsFamily, up);
    }
}
