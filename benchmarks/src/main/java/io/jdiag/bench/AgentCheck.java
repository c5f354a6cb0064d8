package io.jdiag.bench;

import java.lang.reflect.Field;

/**
 * Guards a benchmark fork against measuring the wrong thing: {@link RunAll} tells each fork, in
 * {@code -Dbench.expect} (not {@code jdiag.*}: the agent reads those as its own keys), whether the {@code leaks} detector should be live in it, and the
 * benchmark's set-up fails the run if it is not (an agent that refused its arguments, a missing
 * jar, or an agent leaked into the baseline fork). Run by hand without the property, nothing is checked.
 */
final class AgentCheck {
    static final String PROPERTY = "bench.expect";
    static final String NONE = "none";
    static final String LEAKS_ON = "leaks-on";
    static final String LEAKS_OFF = "leaks-off";

    private AgentCheck() {}

    static void verify() {
        String expect = System.getProperty(PROPERTY);
        if (expect == null) {
            return;
        }
        awaitInstalled(expect);
        check(expect, true);
    }

    /**
     * premain does not hold main: the detectors start and install on the agent's thread, and the
     * agent publishes its endpoint property ({@code off} too) once they are installed. A fork with the
     * agent measures only after that.
     */
    static void awaitInstalled(String expect) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!NONE.equals(expect) && System.getProperty("io.jdiag.agent.endpoint") == null
                && System.nanoTime() < deadline) {
            sleep();
        }
    }

    static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("jdiag bench: interrupted while waiting for the agent", e);
        }
    }

    private static boolean check(String expect, boolean fail) {
        boolean agent;
        Object sink;
        try {
            // Appended to the bootstrap class path by the agent; absent without it.
            Class<?> hooks = Class.forName("io.jdiag.bootstrap.LeaksHooks", true, null);
            Field f = hooks.getDeclaredField("sink");
            f.setAccessible(true);
            sink = f.get(null);
            agent = true;
        } catch (ClassNotFoundException e) {
            agent = false;
            sink = null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("jdiag bench: cannot inspect io.jdiag.bootstrap.LeaksHooks.sink", e);
        }
        boolean ok;
        switch (expect) {
            case NONE:
                ok = !agent;
                break;
            case LEAKS_ON:
                ok = sink != null;
                break;
            case LEAKS_OFF:
                ok = agent && sink == null;
                break;
            default:
                throw new IllegalStateException("jdiag bench: unknown -D" + PROPERTY + "=" + expect);
        }
        if (!ok && fail) {
            throw new IllegalStateException("jdiag bench: expected " + expect + " but agent loaded=" + agent
                    + ", leaks sink=" + (sink == null ? "none" : sink.getClass().getName()));
        }
        return ok;
    }
}
