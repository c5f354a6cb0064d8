package io.jdiag.agent.core;

import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.ReportSection;
import io.prometheus.client.CollectorRegistry;

/** What the core gives each detector. */
public interface DetectorContext {
    Config config();

    FindingsStore findings();

    CollectorRegistry registry();

    EventPipeline events();

    /** Runs {@code task} on the agent thread every {@code intervalMillis}; a throwing task is logged once and kept. */
    void every(long intervalMillis, Runnable task);

    /** Adds a section to the report (e.g. leaks' long-open resources). */
    void addReportSection(ReportSection section);
}
