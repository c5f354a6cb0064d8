package io.jdiag.agent.core;

import java.util.Collections;
import java.util.List;

/**
 * A detector: one failure mode, one package ({@code io.jdiag.agent.detector.<name>}, with its hooks
 * in {@code io.jdiag.bootstrap.<Name>Hooks}). Registered by one line in
 * {@code META-INF/services/io.jdiag.agent.core.Detector}; the core needs no other change
 * (docs/adding-a-detector.md).
 *
 * <p>Lifecycle, each step inside the core's guard for this detector alone: the core instantiates
 * it and reads {@link #name()}, {@link #configKeys()} and {@link #libraryPackages()} (also in
 * {@code jdiag check-config}); if {@code <name>.enabled} it calls {@link #start}, then
 * {@link #warmUp()}, then installs {@link #instrumentations()}; {@link #stop} on detach, or when
 * the detector fails. Anything a step throws turns this detector off — one {@code jdiag:} line,
 * {@code jdiag_agent_detector_up{detector}} 0, the cause in the report's {@code agent.detectorErrors}
 * — and every other detector runs on.
 */
public interface Detector {
    /** Config prefix, metric label and report name: {@code leaks}, {@code pools}, ... */
    String name();

    /** What it finds, in a few words, for the docs of {@code <name>.enabled}: "unclosed-resource detector". */
    String description();

    /**
     * The keys of this detector, each named {@code <name>.<something>}; {@code <name>.enabled} is
     * derived by the core and must not be listed. Declared next to the code that reads them.
     */
    default List<ConfigKey> configKeys() {
        return Collections.emptyList();
    }

    /**
     * Package (or class) name prefixes of libraries this detector instruments or sees in stacks whose
     * frames are never a finding's causing site (a pool's, a client's, a framework's), e.g.
     * {@code "com.zaxxer.hikari."}. The core adds them to {@code report.Stacks} for every detector.
     */
    default List<String> libraryPackages() {
        return Collections.emptyList();
    }

    /** The types this detector weaves advice into. */
    List<TypeInstrumentation> instrumentations();

    /**
     * Creates metrics, installs hook sinks, schedules agent-thread work. Runs before instrumentation
     * is installed, so the hooks find their sink. A missing optional library is silence, not an error.
     */
    void start(DetectorContext context) throws Exception;

    /**
     * Runs every hook path once, for real, on throw-away collaborators (metrics in a registry nobody
     * scrapes, a findings consumer that drops), so that every class the application threads will
     * need is loaded now and never inside a hook, and nothing shows in the real metrics or report.
     * Called after {@link #start}, before instrumentation is installed.
     */
    void warmUp() throws Exception;

    /** Clears hook sinks and releases what {@link #start} made; must not throw. */
    void stop();
}
