package io.jdiag.agent.core;

import java.util.List;

/**
 * A detector: one failure mode, one package. Registered in
 * {@code META-INF/services/io.jdiag.agent.core.Detector}; the core needs no other change.
 *
 * <p>Lifecycle: {@link #start} (before instrumentation is installed, so hooks find their sink),
 * then the core installs {@link #instrumentations()}, then {@link #stop} on detach.
 */
public interface Detector {
    /** Config prefix and report name: {@code leaks}, {@code pools}, ... */
    String name();

    /** The types this detector weaves advice into. */
    List<TypeInstrumentation> instrumentations();

    /** Creates metrics, installs hook sinks, schedules agent-thread work. Must not throw for a missing optional library. */
    void start(DetectorContext context);

    /** Clears hook sinks and releases what {@link #start} made; instrumentation is already removed. */
    void stop();
}
