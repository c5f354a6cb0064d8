package io.jdiag.bench;

import java.lang.reflect.Field;

/**
 * Like {@link AgentCheck}, for a detector other than {@code leaks}: in a fork that {@link RunAll} runs
 * with the agent, the detector's hooks must have a sink (the detector is live), and without it the hooks
 * class must be absent; otherwise the fork would measure the wrong thing. Nothing is checked when run by hand.
 */
final class HookCheck {
    private HookCheck() {}

    /** @param hooksClass e.g. {@code io.jdiag.bootstrap.SerializationHooks} */
    static void verify(String hooksClass) {
        String expect = System.getProperty(AgentCheck.PROPERTY);
        if (expect == null) {
            return;
        }
        AgentCheck.awaitInstalled(expect);
        check(hooksClass, expect, true);
    }

    private static boolean check(String hooksClass, String expect, boolean fail) {
        Object sink;
        boolean agent;
        try {
            Class<?> hooks = Class.forName(hooksClass, true, null);
            Field f = hooks.getDeclaredField("sink");
            f.setAccessible(true);
            sink = f.get(null);
            agent = true;
        } catch (ClassNotFoundException e) {
            sink = null;
            agent = false;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("jdiag bench: cannot inspect " + hooksClass + ".sink", e);
        }
        boolean ok = AgentCheck.NONE.equals(expect) ? !agent : sink != null;
        if (!ok && fail) {
            throw new IllegalStateException("jdiag bench: expected " + expect + " but agent loaded=" + agent + ", "
                    + hooksClass + " sink=" + (sink == null ? "none" : sink.getClass().getName()));
        }
        return ok;
    }
}
