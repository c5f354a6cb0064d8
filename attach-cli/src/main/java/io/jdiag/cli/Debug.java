package io.jdiag.cli;

/**
 * With {@code JDIAG_DEBUG=1}: stack traces with errors and the time of each step on stderr, to
 * see where the time of an attach goes (CLI start-up, attach, the agent's own start).
 */
final class Debug {
    static final boolean ENABLED = enabled(System.getenv("JDIAG_DEBUG"));
    private static final long MAIN_NANOS = System.nanoTime();

    private Debug() {}

    static boolean enabled(String value) {
        return value != null && !value.isEmpty() && !"0".equals(value) && !"false".equalsIgnoreCase(value);
    }

    /** Prints {@code jdiag: debug: <ms since main> ms: <step>} when enabled. */
    static void step(String step) {
        if (ENABLED) {
            System.err.println("jdiag: debug: " + (System.nanoTime() - MAIN_NANOS) / 1_000_000 + " ms: " + step);
        }
    }
}
