package io.jdiag.bootstrap;

/**
 * A per-thread re-entry guard for the hooks (Elastic's and OpenTelemetry's {@code CallDepth}).
 * While a thread is inside the agent — a hook handing an event to its sink, the agent class loader
 * reading a class out of the agent jar, a stack being captured — every hook that the agent's own
 * work reaches again (a {@code FileInputStream} it opens, an {@code InputStream.readAllBytes} it
 * calls, a class it loads) sees {@link #enter()} return null and does nothing. Agent threads are
 * always inside.
 *
 * <pre>{@code
 * HookGuard.Depth d = HookGuard.enter();
 * if (d != null) {
 *     try { sink.opened(...); } finally { d.exit(); }
 * }
 * }</pre>
 *
 * <p>The thread-local holds only this bootstrap class, never an agent type, so it pins no class
 * loader after a detach. Cost: one {@code ThreadLocal} lookup per hook call that has a sink.
 */
public final class HookGuard {
    /** The depth of one thread; touched only by that thread. */
    public static final class Depth {
        private int depth;

        private Depth() {}

        /** Leaves the agent; call exactly once per successful {@link #enter()}. */
        public void exit() {
            depth--;
        }
    }

    // An explicit subclass, not withInitial(lambda): a lambda would bootstrap invokedynamic
    // machinery the first time a hook runs, possibly inside a class initializer of the JDK.
    private static final ThreadLocal<Depth> DEPTH = new ThreadLocal<Depth>() {
        @Override
        protected Depth initialValue() {
            return new Depth();
        }
    };

    private HookGuard() {}

    /**
     * Marks the current thread as inside the agent.
     *
     * @return the thread's depth, to {@link Depth#exit()} when done; null when the thread is already
     *     inside the agent (a re-entry) or is an agent thread, in which case the caller does nothing
     */
    public static Depth enter() {
        if (Thread.currentThread() instanceof AgentThread) {
            return null;
        }
        Depth d = DEPTH.get();
        if (d.depth != 0) {
            return null;
        }
        d.depth = 1;
        return d;
    }

    /**
     * Marks the current thread as inside the agent even when it already is (nesting), for agent work
     * that must be shielded whatever its caller: the agent class loader reading a class file.
     *
     * @return the depth to {@link Depth#exit()}; null on an agent thread, which needs no shield
     */
    public static Depth enterNested() {
        if (Thread.currentThread() instanceof AgentThread) {
            return null;
        }
        Depth d = DEPTH.get();
        d.depth++;
        return d;
    }

    /** Whether the current thread is inside the agent (or is an agent thread): hooks then do nothing. */
    public static boolean inside() {
        return Thread.currentThread() instanceof AgentThread || DEPTH.get().depth != 0;
    }
}
