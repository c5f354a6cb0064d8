package io.jdiag.agent.core;

import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.ReportSection;
import io.prometheus.client.CollectorRegistry;

/**
 * A throw-away {@link DetectorContext} for {@link Detector#warmUp()}: the real classes (a findings
 * store, a registry, an event pipeline) that nobody reads, so a warm-up runs the real hook path
 * and loads every class it needs, while the real metrics and report stay untouched. Periodic
 * tasks and report sections are dropped; {@link #drain()} runs queued events, as the agent thread would.
 */
public final class WarmUpContext implements DetectorContext {
    private final Config config;
    private final FindingsStore findings = new FindingsStore(16);
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final EventPipeline events = new EventPipeline(64);
    private final RequestTimes requestTimes = new RequestTimes();

    /** @param config the real configuration, so the warm-up takes the same branches as the real path */
    public WarmUpContext(Config config) {
        this.config = config;
    }

    /** Handles the events the warm-up queued, on the calling thread. */
    public void drain() {
        events.drain(64);
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public FindingsStore findings() {
        return findings;
    }

    @Override
    public CollectorRegistry registry() {
        return registry;
    }

    @Override
    public EventPipeline events() {
        return events;
    }

    @Override
    public RequestTimes requestTimes() {
        return requestTimes;
    }

    @Override
    public void every(long intervalMillis, Runnable task) {
        // a warm-up schedules nothing
    }

    @Override
    public void addReportSection(ReportSection section) {
        // nor reports
    }

    @Override
    public void failed(String cause) {
        throw new IllegalStateException(cause);
    }
}
