package io.jdiag.agent.detector.pools;

import io.jdiag.bootstrap.PoolsHooks;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the agent knows of one pool library: how to get from what the advice hands over to the
 * library's stable per-connection entry (the key of a connection's {@link Hold}), how to read the
 * pool's own statistics, what its pool is called, and which exception means "timed out waiting".
 *
 * <p>Everything goes through {@link Reflect}: the agent never links against a library, so another
 * version of it makes readings unknown (-1), never an error in the application.
 */
abstract class PoolLibrary {
    /** The pool's own numbers at one moment; -1 where the library does not tell. */
    static final class Stats {
        static final Stats UNKNOWN = new Stats(-1, -1, -1, -1, false);

        final int active;
        final int idle;
        final int max;
        final int pending;
        final boolean closed;

        Stats(int active, int idle, int max, int pending, boolean closed) {
            this.active = active;
            this.idle = idle;
            this.max = max;
            this.pending = pending;
            this.closed = closed;
        }

        boolean known() {
            return max >= 0;
        }
    }

    final String label;
    final String kind;
    private final String namePrefix;
    private final AtomicInteger sequence = new AtomicInteger();

    PoolLibrary(String label, String kind, String namePrefix) {
        this.label = label;
        this.kind = kind;
        this.namePrefix = namePrefix;
    }

    /** The pool object whose statistics are read, from the object the acquiring method belongs to. */
    Object poolOf(Object hookPool) {
        return hookPool;
    }

    /** Hot path: the library's stable entry of the connection an acquire returned; null when unknown. */
    abstract Object entryOf(Object handle);

    /** Hot path: the entry of what a release hook was given. */
    Object releasedEntryOf(Object connection) {
        return connection;
    }

    /**
     * Hot path: the time ({@link System#nanoTime()}) at which the library marked the connection returned,
     * read from its entry where it keeps one, to spare a clock read; 0 when it keeps none.
     */
    long releaseNanos(Object entry) {
        return 0;
    }

    /** Agent thread: the pool's own statistics. */
    abstract Stats read(Object pool);

    /** The pool's own name, or null to use a numbered one. */
    String ownName(Object pool) {
        return null;
    }

    /** The {@code pool} label: the library's name for the pool, else {@code <prefix>-<n>}. */
    final String name(Object pool) {
        String own = null;
        try {
            own = ownName(pool);
        } catch (RuntimeException ignored) {
            // numbered instead
        }
        return own != null && !own.isEmpty() ? own : namePrefix + "-" + sequence.incrementAndGet();
    }

    /** Whether an acquire's exception says it gave up waiting for a free connection. */
    abstract boolean isTimeout(Throwable thrown);

    /** Whether the library's statistics give the pool's size (a generic data source's do not). */
    boolean hasStats() {
        return true;
    }

    static final PoolLibrary[] ALL = new PoolLibrary[6];

    static {
        ALL[PoolsHooks.HIKARI] = new Hikari();
        ALL[PoolsHooks.DBCP2] = new Dbcp2();
        ALL[PoolsHooks.TOMCAT] = new Tomcat();
        ALL[PoolsHooks.DATASOURCE] = new GenericDataSource();
        ALL[PoolsHooks.APACHE4] = new Apache4();
        ALL[PoolsHooks.APACHE5] = new Apache5();
    }

    static PoolLibrary of(int library) {
        return library >= 0 && library < ALL.length ? ALL[library] : null;
    }

    private static int intOf(Object v) {
        return v instanceof Number ? ((Number) v).intValue() : -1;
    }

    /** HikariCP: {@code HikariPool}, its {@code PoolEntry} per connection, the {@code ProxyConnection} handed out. */
    static final class Hikari extends PoolLibrary {
        private final Reflect.FieldOf poolEntry = new Reflect.FieldOf("poolEntry");
        private final Reflect.FieldOf lastAccessed = new Reflect.FieldOf("lastAccessed");
        private final Reflect.FieldOf config = new Reflect.FieldOf("config");
        private final Reflect.FieldOf poolState = new Reflect.FieldOf("poolState");
        private final Reflect.MethodOf active = new Reflect.MethodOf("getActiveConnections");
        private final Reflect.MethodOf idle = new Reflect.MethodOf("getIdleConnections");
        private final Reflect.MethodOf waiting = new Reflect.MethodOf("getThreadsAwaitingConnection");
        private final Reflect.MethodOf maxSize = new Reflect.MethodOf("getMaximumPoolSize");

        Hikari() {
            super("hikari", "jdbc", "hikari");
        }

        @Override
        Object entryOf(Object handle) {
            return poolEntry.get(handle);
        }

        /** {@code PoolEntry.lastAccessed}, set from {@code ClockSource.currentTime()} (nanoTime, but on macOS millis) just before. */
        @Override
        long releaseNanos(Object entry) {
            return lastAccessed.getLong(entry);
        }

        @Override
        Stats read(Object pool) {
            // HikariPool.POOL_SHUTDOWN = 2
            return new Stats(active.callInt(pool), idle.callInt(pool), maxSize.callInt(config.get(pool)),
                    waiting.callInt(pool), intOf(poolState.get(pool)) == 2);
        }

        @Override
        String ownName(Object pool) {
            return pool.toString(); // PoolBase.toString() is the pool name
        }

        @Override
        boolean isTimeout(Throwable thrown) {
            return thrown != null && thrown.getClass().getName().equals("java.sql.SQLTransientConnectionException");
        }
    }

    /**
     * Commons DBCP2 (and Tomcat's repackaged copy, {@code org.apache.tomcat.dbcp.dbcp2}):
     * {@code PoolingDataSource} (which {@code BasicDataSource} delegates to), its
     * {@code GenericObjectPool}, a {@code PoolableConnection} per connection, wrapped in a guard handed out.
     */
    static final class Dbcp2 extends PoolLibrary {
        private final Reflect.FieldOf delegate = new Reflect.FieldOf("connection");
        private final Reflect.FieldOf objectPool = new Reflect.FieldOf("pool");
        private final Reflect.MethodOf active = new Reflect.MethodOf("getNumActive");
        private final Reflect.MethodOf idle = new Reflect.MethodOf("getNumIdle");
        private final Reflect.MethodOf waiters = new Reflect.MethodOf("getNumWaiters");
        private final Reflect.MethodOf maxTotal = new Reflect.MethodOf("getMaxTotal");
        private final Reflect.MethodOf closed = new Reflect.MethodOf("isClosed");
        private final Reflect.MethodOf jmxName = new Reflect.MethodOf("getJmxName");

        Dbcp2() {
            super("dbcp2", "jdbc", "dbcp2");
        }

        @Override
        Object entryOf(Object handle) {
            return delegate.get(handle);
        }

        @Override
        Stats read(Object pool) {
            Object p = objectPool.get(pool);
            if (p == null) {
                return Stats.UNKNOWN;
            }
            return new Stats(active.callInt(p), idle.callInt(p), maxTotal.callInt(p), waiters.callInt(p),
                    Boolean.TRUE.equals(closed.call(p)));
        }

        @Override
        String ownName(Object pool) {
            Object name = jmxName.call(objectPool.get(pool));
            return name == null ? null : name.toString();
        }

        @Override
        boolean isTimeout(Throwable thrown) {
            return Reflect.causedBy(thrown, "java.util.NoSuchElementException");
        }
    }

    /** Tomcat JDBC: {@code ConnectionPool} and its {@code PooledConnection} per connection. */
    static final class Tomcat extends PoolLibrary {
        private final Reflect.MethodOf active = new Reflect.MethodOf("getActive");
        private final Reflect.MethodOf idle = new Reflect.MethodOf("getIdle");
        private final Reflect.MethodOf waiting = new Reflect.MethodOf("getWaitCount");
        private final Reflect.MethodOf properties = new Reflect.MethodOf("getPoolProperties");
        private final Reflect.MethodOf maxActive = new Reflect.MethodOf("getMaxActive");
        private final Reflect.MethodOf closed = new Reflect.MethodOf("isClosed");
        private final Reflect.MethodOf name = new Reflect.MethodOf("getName");

        Tomcat() {
            super("tomcat", "jdbc", "tomcat");
        }

        @Override
        Object entryOf(Object handle) {
            return handle;
        }

        @Override
        Stats read(Object pool) {
            return new Stats(active.callInt(pool), idle.callInt(pool), maxActive.callInt(properties.call(pool)),
                    waiting.callInt(pool), Boolean.TRUE.equals(closed.call(pool)));
        }

        @Override
        String ownName(Object pool) {
            Object n = name.call(pool);
            return n == null ? null : n.toString();
        }

        @Override
        boolean isTimeout(Throwable thrown) {
            return Reflect.causedBy(thrown, "org.apache.tomcat.jdbc.pool.PoolExhaustedException");
        }
    }

    /** Any other {@code javax.sql.DataSource}: only its {@code getConnection} is timed. */
    static final class GenericDataSource extends PoolLibrary {
        GenericDataSource() {
            super("datasource", "jdbc", "datasource");
        }

        @Override
        Object entryOf(Object handle) {
            return null;
        }

        @Override
        Object releasedEntryOf(Object connection) {
            return null;
        }

        @Override
        Stats read(Object pool) {
            return Stats.UNKNOWN;
        }

        @Override
        String ownName(Object pool) {
            return pool.getClass().getSimpleName() + "-" + Integer.toHexString(System.identityHashCode(pool));
        }

        @Override
        boolean isTimeout(Throwable thrown) {
            return Reflect.causedBy(thrown, "java.sql.SQLTimeoutException")
                    || Reflect.causedBy(thrown, "java.sql.SQLTransientConnectionException");
        }

        @Override
        boolean hasStats() {
            return false;
        }
    }

    /** Apache HttpClient 4: {@code PoolingHttpClientConnectionManager}, a {@code CPoolEntry} per connection, a {@code CPoolProxy} handed out. */
    static final class Apache4 extends PoolLibrary {
        private final Reflect.FieldOf poolEntry = new Reflect.FieldOf("poolEntry");
        private final Reflect.FieldOf shutDown = new Reflect.FieldOf("isShutDown");
        private final Reflect.MethodOf totalStats = new Reflect.MethodOf("getTotalStats");
        private final Reflect.MethodOf leased = new Reflect.MethodOf("getLeased");
        private final Reflect.MethodOf available = new Reflect.MethodOf("getAvailable");
        private final Reflect.MethodOf max = new Reflect.MethodOf("getMax");
        private final Reflect.MethodOf pending = new Reflect.MethodOf("getPending");
        private final Reflect.MethodOf get = new Reflect.MethodOf("get");

        Apache4() {
            super("apache4", "http", "apache4");
        }

        @Override
        Object entryOf(Object handle) {
            return poolEntry.get(handle);
        }

        @Override
        Object releasedEntryOf(Object connection) {
            return poolEntry.get(connection);
        }

        @Override
        Stats read(Object pool) {
            Object s = totalStats.call(pool);
            if (s == null) {
                return Stats.UNKNOWN;
            }
            return new Stats(leased.callInt(s), available.callInt(s), max.callInt(s), pending.callInt(s),
                    Boolean.TRUE.equals(get.call(shutDown.get(pool))));
        }

        @Override
        boolean isTimeout(Throwable thrown) {
            return Reflect.causedBy(thrown, "org.apache.http.conn.ConnectionPoolTimeoutException");
        }
    }

    /**
     * Apache HttpClient 5 (classic): {@code PoolingHttpClientConnectionManager}, whose {@code lease}
     * returns an anonymous {@code LeaseRequest} (the advice's "pool"; its outer instance is the manager),
     * a {@code PoolEntry} per connection, an {@code InternalConnectionEndpoint} handed out.
     */
    static final class Apache5 extends PoolLibrary {
        private final Reflect.OuterOf manager = new Reflect.OuterOf("PoolingHttpClientConnectionManager");
        private final Reflect.FieldOf poolEntryRef = new Reflect.FieldOf("poolEntryRef");
        private final Reflect.FieldOf closedFlag = new Reflect.FieldOf("closed");
        private final Reflect.MethodOf totalStats = new Reflect.MethodOf("getTotalStats");
        private final Reflect.MethodOf leased = new Reflect.MethodOf("getLeased");
        private final Reflect.MethodOf available = new Reflect.MethodOf("getAvailable");
        private final Reflect.MethodOf max = new Reflect.MethodOf("getMax");
        private final Reflect.MethodOf pending = new Reflect.MethodOf("getPending");
        private final Reflect.MethodOf get = new Reflect.MethodOf("get");

        Apache5() {
            super("apache5", "http", "apache5");
        }

        @Override
        Object poolOf(Object hookPool) {
            return manager.get(hookPool);
        }

        @Override
        Object entryOf(Object handle) {
            Object ref = poolEntryRef.get(handle);
            return ref instanceof java.util.concurrent.atomic.AtomicReference
                    ? ((java.util.concurrent.atomic.AtomicReference<?>) ref).get() : null;
        }

        @Override
        Object releasedEntryOf(Object connection) {
            return entryOf(connection);
        }

        @Override
        Stats read(Object pool) {
            Object s = totalStats.call(pool);
            if (s == null) {
                return Stats.UNKNOWN;
            }
            return new Stats(leased.callInt(s), available.callInt(s), max.callInt(s), pending.callInt(s),
                    Boolean.TRUE.equals(get.call(closedFlag.get(pool))));
        }

        @Override
        boolean isTimeout(Throwable thrown) {
            return Reflect.causedBy(thrown, "java.util.concurrent.TimeoutException");
        }
    }
}
