package io.jdiag.bootstrap;

/**
 * Entry points for the {@code blocking} detector's advice, woven into the JDK's blocking methods
 * ({@code Thread.sleep}, {@code Object.wait}, {@code LockSupport.park*}, file and socket I/O, futures,
 * latches, semaphores), JDBC statements, and Netty's event-loop machinery.
 *
 * <p><b>The check on every other thread.</b> These hooks run on every thread of the JVM that sleeps,
 * waits, parks or does I/O, nearly all of which are not event loops. For them the whole cost is
 * {@link #current()}: one volatile read of the loop table, {@code Thread.currentThread()}, its id,
 * one array slot and a null check — a few nanoseconds, no allocation, no {@code ThreadLocal}.
 * Everything else happens only on a registered loop thread.
 *
 * <p><b>Loops.</b> The agent registers loop threads ({@link Loop}, subclassed by the agent) into an
 * open-addressing table keyed by thread id, which it republishes copy-on-write ({@link #loops}).
 * Netty loops register themselves on their first task round after the agent starts
 * ({@link #loopIteration}), which also works after a hot attach; threads named by
 * {@code blocking.threads} are registered by the agent's own scan.
 *
 * <p><b>Nesting.</b> Only the outermost blocking call on a loop is timed and reported: a JDBC
 * {@code executeQuery} that reads a socket is one call, {@code java.sql.Statement.executeQuery}.
 * A raw {@code LockSupport.park} inside a future's {@code get} marks that the outer call really
 * waited ({@link #enterWait}: a {@code get} of a completed future, a latch already at zero or a
 * semaphore with permits never blocks, and is not reported).
 *
 * <p>JDK types only: this class lives on the bootstrap class path, where {@code java.*} can see it.
 */
public final class BlockingHooks {
    /** The outermost call in progress always blocks (sleep, wait, I/O, JDBC). */
    public static final int ALWAYS = 1;
    /** The outermost call blocks only if it parks (future get, latch await, semaphore acquire). */
    public static final int IF_PARKED = 2;
    /** A raw {@code LockSupport.park*}: the loop waits for another thread. */
    public static final int PARK = 3;

    /**
     * One event-loop thread, as the hooks see it. The fields the hooks write are plain: only the
     * loop thread itself writes them, and the agent's watchdog reads them racily, once per check in
     * a fresh method call (so the JIT cannot hoist the read), where a value one check late is fine.
     * Writes are not delayed indefinitely either: each one precedes a call the JIT cannot see
     * through (a task, a handler, a native wait).
     */
    public static class Loop {
        public final Thread thread;
        private final long threadId;
        int depth;
        int kind;
        boolean parked;
        long startNanos;
        boolean idle;
        boolean idleKnown;
        int generation;
        String route;

        protected Loop(Thread thread) {
            this.thread = thread;
            this.threadId = thread.getId();
        }

        public final long threadId() {
            return threadId;
        }

        /** Changes at every task, handler read, loop round and wake-up: the loop made progress. */
        public final int generation() {
            return generation;
        }

        /** Waiting for work (in its selector, {@code epoll_wait}, a task queue): not stuck. */
        public final boolean idle() {
            return idle;
        }

        /** Whether this loop's idle wait is instrumented, so {@link #idle()} means something. */
        public final boolean idleKnown() {
            return idleKnown;
        }

        /** Inside a blocking call the hooks will report when it returns. */
        public final boolean inBlockingCall() {
            return depth != 0;
        }

        /** {@link #ALWAYS}, {@link #IF_PARKED} or {@link #PARK}: the kind of the call being reported. */
        public final int kind() {
            return kind;
        }

        /** The HTTP route of the handler last entered on this loop (null in tasks and outside requests). */
        public final String route() {
            return route;
        }

        /** For the agent's warm-up and tests, which drive a loop without its thread running the hooks: progress. */
        protected final void progressed() {
            generation++;
        }

        /** For the agent's warm-up and tests: the idle state the idle hooks would set. */
        protected final void idleState(boolean known, boolean idleNow) {
            idleKnown = known;
            idle = idleNow;
        }
    }

    /** Implemented by the agent; must never throw and never block. Called on the loop thread. */
    public interface BlockingSink {
        /**
         * An outermost blocking call returned on a loop thread.
         *
         * @param call   {@code Class.method} of the instrumented method ({@code java.lang.Thread.sleep})
         * @param target a file path or {@code FileDescriptor} for file streams; else null
         */
        void blocked(Loop loop, String call, long nanos, Object target);

        /** A Netty executor's thread not yet registered ran a round of tasks: perhaps a loop to register. */
        void loopThread(Object executor);
    }

    /** Open-addressing by thread id, length a power of two, at most half full; null when no loop is known. */
    private static volatile Loop[] loops;
    private static volatile BlockingSink sink;

    private BlockingHooks() {}

    /** Set by the agent on start; null on detach, which also forgets every loop. */
    public static void install(BlockingSink newSink) {
        sink = newSink;
        if (newSink == null) {
            loops = null;
        }
    }

    /** Publishes a new loop table (copy-on-write by the agent); see the class comment for its shape. */
    public static void loops(Loop[] table) {
        loops = table;
    }

    /** The current thread's loop, or null: the only work these hooks do on any other thread. */
    static Loop current() {
        Loop[] t = loops;
        if (t == null) {
            return null;
        }
        Thread self = Thread.currentThread();
        int mask = t.length - 1;
        int i = (int) self.getId() & mask;
        Loop l;
        while ((l = t[i]) != null) {
            if (l.thread == self) {
                return l;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    /** Whether the current thread is a registered loop (tests, warm-up). */
    public static boolean onLoop() {
        return current() != null;
    }

    // ---- blocking calls --------------------------------------------------------------------------

    /**
     * Entry of a method that always blocks.
     *
     * @return the loop to hand to {@link #exit}, or null when this is no outermost call on a loop
     */
    public static Object enter() {
        return start(current(), ALWAYS);
    }

    /** Entry of a method that blocks only when it parks (a future's {@code get}, a latch's {@code await}). */
    public static Object enterWait() {
        return start(current(), IF_PARKED);
    }

    /** Entry of {@code LockSupport.park*}: a raw park, or the wait inside an outer call. */
    public static Object enterPark() {
        Loop l = current();
        if (l == null) {
            return null;
        }
        if (l.depth != 0) {
            l.parked = true;
            return null;
        }
        // A loop parking in its own idle wait (an executor's queue) waits for work, not for others.
        return l.idle ? null : start(l, PARK);
    }

    private static Object start(Loop l, int kind) {
        if (l == null || l.depth != 0 || HookGuard.inside()) {
            return null;
        }
        l.depth = 1;
        l.kind = kind;
        l.parked = false;
        l.startNanos = System.nanoTime();
        return l;
    }

    /** Exit of an outermost call that {@link #enter}, {@link #enterWait} or {@link #enterPark} returned. */
    public static void exit(Object loop, String call) {
        if (loop != null) {
            finish((Loop) loop, call, null);
        }
    }

    /**
     * Exit of a file stream's read or write.
     *
     * @param path the stream's path, or null (a stream over a descriptor)
     * @param fd   the stream's descriptor (console streams are told apart by it)
     */
    public static void exitFile(Object loop, String call, String path, Object fd) {
        if (loop != null) {
            finish((Loop) loop, call, path != null ? path : fd);
        }
    }

    private static void finish(Loop l, String call, Object target) {
        long nanos = System.nanoTime() - l.startNanos;
        boolean blocked = l.kind != IF_PARKED || l.parked;
        l.depth = 0;
        BlockingSink s = sink;
        HookGuard.Depth d;
        if (blocked && s != null && (d = HookGuard.enter()) != null) {
            try {
                s.blocked(l, call, nanos, target);
            } finally {
                d.exit();
            }
        }
    }

    // ---- progress and idleness of loops, for the stall watchdog ---------------------------------

    /** A Netty task starts ({@code safeExecute}). */
    public static void progress() {
        Loop l = current();
        if (l != null) {
            l.generation++;
            l.route = null;
        }
    }

    /** A Netty handler passes a read on ({@code fireChannelRead}): the route in flight now is the handler's. */
    public static void progressRead() {
        Loop l = current();
        if (l != null) {
            l.generation++;
            l.route = RequestContext.currentRoute();
        }
    }

    /**
     * A Netty executor starts a round of tasks ({@code runAllTasks}), on its own thread: progress for a
     * known loop; for an unknown thread, the agent decides whether the executor is an I/O event loop and
     * registers it (the way loops running before a hot attach are found).
     */
    public static void loopIteration(Object executor) {
        Loop l = current();
        if (l != null) {
            l.generation++;
            l.route = null;
            return;
        }
        BlockingSink s = sink;
        HookGuard.Depth d;
        if (s != null && executor != null && (d = HookGuard.enter()) != null) {
            try {
                s.loopThread(executor);
            } finally {
                d.exit();
            }
        }
    }

    /** The loop starts waiting for work: its selector, {@code epoll_wait}, an executor's task queue. */
    public static void idleEnter() {
        Loop l = current();
        if (l != null) {
            l.idleKnown = true;
            l.idle = true;
        }
    }

    /** The loop woke up. */
    public static void idleExit() {
        Loop l = current();
        if (l != null) {
            l.idle = false;
            l.generation++;
            l.route = null;
        }
    }
}
