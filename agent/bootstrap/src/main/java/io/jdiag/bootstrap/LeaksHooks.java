package io.jdiag.bootstrap;

/**
 * Entry points for the {@code leaks} detector's advice, which is woven into JDK classes
 * ({@code FileInputStream}, {@code NioSocketImpl}, {@code ZipFile}, ...) and so can only reach
 * classes on the bootstrap class path. Each method forwards to the sink the agent installed, or
 * does nothing when none is installed (before start-up, after detach, or with the detector off).
 *
 * <p>Callers are app threads on hot paths: no locks, no logging here. What the agent does inside a
 * hook (capturing a stack, loading its classes) never re-enters one ({@link HookGuard}).
 */
public final class LeaksHooks {
    /** Set by the agent on start, cleared on detach. Volatile: read on every call by any thread. */
    private static volatile LeaksSink sink;

    private LeaksHooks() {}

    public static void install(LeaksSink newSink) {
        sink = newSink;
    }

    /**
     * A resource was opened.
     *
     * @param resource the object whose {@code close()} releases it
     * @param type     resource type label ({@code file}, {@code socket}, {@code zip}, ...)
     * @param target   what was opened: a {@code File}, path {@code String} or {@code SocketAddress};
     *                 only its name is kept, never content
     */
    public static void opened(Object resource, String type, Object target) {
        LeaksSink s = sink;
        HookGuard.Depth d;
        if (s != null && resource != null && (d = HookGuard.enter()) != null) {
            try {
                s.opened(resource, type, target);
            } finally {
                d.exit();
            }
        }
    }

    /** A tracked resource learnt what it is connected to (a socket's remote address). */
    public static void describe(Object resource, Object target) {
        LeaksSink s = sink;
        HookGuard.Depth d;
        if (s != null && resource != null && (d = HookGuard.enter()) != null) {
            try {
                s.describe(resource, target);
            } finally {
                d.exit();
            }
        }
    }

    /** {@code close()} was called on a resource (tracked or not). */
    public static void closed(Object resource) {
        LeaksSink s = sink;
        HookGuard.Depth d;
        if (s != null && resource != null && (d = HookGuard.enter()) != null) {
            try {
                s.closed(resource);
            } finally {
                d.exit();
            }
        }
    }

    /**
     * A resource that belongs to another and is closed with it: a JDBC statement (of its connection),
     * a result set (of its statement).
     */
    public static void openedBy(Object resource, String type, Object parent) {
        LeaksSink s = sink;
        HookGuard.Depth d;
        if (s != null && resource != null && parent != null && (d = HookGuard.enter()) != null) {
            try {
                s.openedBy(resource, type, parent);
            } finally {
                d.exit();
            }
        }
    }

    /** {@code close()} of a resource whose children ({@link #openedBy}) are closed with it, tracked or not. */
    public static void closedWithChildren(Object resource) {
        LeaksSink s = sink;
        HookGuard.Depth d;
        if (s != null && resource != null && (d = HookGuard.enter()) != null) {
            try {
                s.closedWithChildren(resource);
            } finally {
                d.exit();
            }
        }
    }

    /** Implemented by the agent; must never throw and never block. */
    public interface LeaksSink {
        void opened(Object resource, String type, Object target);

        void describe(Object resource, Object target);

        void closed(Object resource);

        void openedBy(Object resource, String type, Object parent);

        void closedWithChildren(Object resource);
    }
}
