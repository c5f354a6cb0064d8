package io.jdiag.bootstrap;

/**
 * Entry points for the {@code pools} detector's advice, woven into connection pools: HikariCP,
 * Commons DBCP2, Tomcat JDBC, Apache HttpClient 4 and 5 connection managers, and any other
 * {@code javax.sql.DataSource}. Each forwards to the sink the agent installed, or does nothing.
 *
 * <p>An acquire is timed by a pair of calls: {@link #acquireStart()} on entry of the library's
 * acquiring method returns a start time ({@link System#nanoTime()}, or 0 without a sink), which the
 * exit advice hands back to {@link #acquired} or {@link #acquireFailed}; a start of 0 is ignored.
 * The advice passes the library's own objects as {@code Object}: what they are is for the agent's
 * adapter of that library to know ({@code library} is one of the constants below).
 *
 * <p>JDK types only. Callers are application threads on the hottest path a pool has (a borrow and
 * its return): no locks, no logging, no allocation here.
 */
public final class PoolsHooks {
    public static final int HIKARI = 0;
    public static final int DBCP2 = 1;
    public static final int TOMCAT = 2;
    public static final int DATASOURCE = 3;
    public static final int APACHE4 = 4;
    public static final int APACHE5 = 5;

    /** Marks a nested {@link #dataSourceEnter()}: its exit only unwinds the depth. */
    public static final long NESTED = Long.MIN_VALUE;

    /** Set by the agent on start, cleared on detach. Volatile: read on every call by any thread. */
    private static volatile PoolsSink sink;

    /**
     * Depth of generic {@code DataSource.getConnection} calls on this thread, so that a data source
     * delegating to its own overload (or to another generic one) is timed once. Holds a JDK type only,
     * so it pins no agent class loader after a detach.
     */
    private static final ThreadLocal<int[]> DATASOURCE_DEPTH = new ThreadLocal<int[]>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    private PoolsHooks() {}

    public static void install(PoolsSink newSink) {
        sink = newSink;
    }

    /** On entry of an acquire: the start time, or 0 when no sink is installed. */
    public static long acquireStart() {
        return sink == null ? 0 : System.nanoTime();
    }

    /**
     * An acquire returned a connection.
     *
     * @param pool   the pool object the acquiring method belongs to
     * @param handle what the method returned (a proxy, an entry, an endpoint)
     * @param start  what {@link #acquireStart()} returned
     */
    public static void acquired(int library, Object pool, Object handle, long start) {
        PoolsSink s = sink;
        HookGuard.Depth d;
        if (start != 0 && s != null && pool != null && (d = HookGuard.enter()) != null) {
            try {
                s.acquired(library, pool, handle, start);
            } finally {
                d.exit();
            }
        }
    }

    /** An acquire threw (a timeout, an interrupt, a failure to connect). */
    public static void acquireFailed(int library, Object pool, Throwable thrown, long start) {
        PoolsSink s = sink;
        HookGuard.Depth d;
        if (start != 0 && s != null && pool != null && (d = HookGuard.enter()) != null) {
            try {
                s.acquireFailed(library, pool, thrown, start);
            } finally {
                d.exit();
            }
        }
    }

    /** {@link #acquired} or {@link #acquireFailed}, by whether the acquiring method threw. */
    public static void acquireEnded(int library, Object pool, Object handle, Throwable thrown, long start) {
        if (thrown == null) {
            acquired(library, pool, handle, start);
        } else {
            acquireFailed(library, pool, thrown, start);
        }
    }

    /** A connection goes back to its pool; {@code connection} is the library's entry or handle. */
    public static void released(int library, Object connection) {
        PoolsSink s = sink;
        HookGuard.Depth d;
        if (s != null && connection != null && (d = HookGuard.enter()) != null) {
            try {
                s.released(library, connection);
            } finally {
                d.exit();
            }
        }
    }

    /**
     * On entry of a generic {@code DataSource.getConnection}: the start time for the outermost call on
     * this thread, {@link #NESTED} for an inner one, 0 without a sink. Hand it to {@link #dataSourceExit}.
     */
    public static long dataSourceEnter() {
        if (sink == null) {
            return 0;
        }
        int[] depth = DATASOURCE_DEPTH.get();
        return depth[0]++ == 0 ? System.nanoTime() : NESTED;
    }

    /** On exit of a generic {@code DataSource.getConnection}; {@code thrown} is null on success. */
    public static void dataSourceExit(Object dataSource, Throwable thrown, long start) {
        if (start == 0) {
            return;
        }
        int[] depth = DATASOURCE_DEPTH.get();
        if (depth[0] > 0) {
            depth[0]--;
        }
        if (start == NESTED) {
            return;
        }
        if (thrown == null) {
            acquired(DATASOURCE, dataSource, null, start);
        } else {
            acquireFailed(DATASOURCE, dataSource, thrown, start);
        }
    }

    /** Implemented by the agent; must never throw and never block. */
    public interface PoolsSink {
        void acquired(int library, Object pool, Object handle, long start);

        void acquireFailed(int library, Object pool, Throwable thrown, long start);

        void released(int library, Object connection);
    }
}
