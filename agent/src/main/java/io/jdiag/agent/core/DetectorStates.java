package io.jdiag.agent.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which detectors run, which are off by configuration and which failed, and why: read by
 * {@code jdiag_agent_detector_up{detector}} and the report's {@code agent.detectors} and
 * {@code agent.detectorErrors}. Written on start-up and by the agent thread when a detector fails.
 */
public final class DetectorStates {
    private final Map<String, Boolean> up = new LinkedHashMap<>();
    private final Map<String, String> errors = new LinkedHashMap<>();

    synchronized void running(String detector) {
        up.put(detector, true);
    }

    synchronized void disabled(String detector) {
        up.put(detector, false);
    }

    /** @return false when it had already failed (the first cause is kept) */
    synchronized boolean failed(String detector, String cause) {
        up.put(detector, false);
        return errors.putIfAbsent(detector, cause) == null;
    }

    /** Detector name → whether it runs; in registration order. */
    public synchronized Map<String, Boolean> up() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(up));
    }

    /** Detector name → why it is off, for those that failed. */
    public synchronized Map<String, String> errors() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    /** The one {@code jdiag:} line that says a detector is off and why. */
    static String failureLine(String detector, String cause) {
        return "jdiag: " + detector + " detector turned off: " + cause + "; the other detectors keep working";
    }
}
