package io.jdiag.agent.core;

import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.ReportSection;
import io.prometheus.client.CollectorRegistry;

/**
 * What the core gives one detector. Everything registered through it (metrics, periodic tasks,
 * report sections) belongs to that detector and is taken back when it fails.
 */
public interface DetectorContext {
    Config config();

    FindingsStore findings();

    /** This detector's registry; exported on {@code /metrics} while the detector runs. */
    CollectorRegistry registry();

    EventPipeline events();

    /** Per-route request time, shared by all detectors (fed by {@code http}). */
    RequestTimes requestTimes();

    /** Runs {@code task} on the agent thread every {@code intervalMillis}; a throwing task is logged once and kept. */
    void every(long intervalMillis, Runnable task);

    /** Adds a section to the report (e.g. leaks' long-open resources). */
    void addReportSection(ReportSection section);

    /**
     * Turns this detector off from its own code, when it finds it cannot work (a library it reads
     * turned out to be a version it cannot handle): the same as a failed start, at any time.
     */
    void failed(String cause);
}
