package io.jdiag.testtargets;

/**
 * Application code for the analyzer tests: frames of {@code io.jdiag.agent} count as the agent's and
 * are cut from the top of a captured stack, so the "application" calling a hook must live elsewhere.
 */
public final class Callers {
    private Callers() {}

    /** Runs {@code call} from a frame named {@code io.jdiag.testtargets.Callers.applicationMethod}. */
    public static void applicationMethod(Runnable call) {
        call.run();
    }
}
