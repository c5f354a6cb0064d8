package io.jdiag.agent.detector.pools;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * The borrow state of one pooled connection, kept per library entry (a Hikari {@code PoolEntry}, a
 * Tomcat {@code PooledConnection}, ...) for as long as the entry lives, so that a borrow and its return
 * allocate nothing: they overwrite these fields. A weak reference to the entry, so tracking never keeps
 * a connection the pool dropped alive; the agent thread forgets holds whose entry was collected.
 *
 * <p>One borrower at a time (the pool guarantees it) writes the fields, then publishes the borrow with
 * a release store of {@link #borrowNanos}; the agent thread reads them racily after an acquire load,
 * which is enough for reporting. Found by the identity of its entry ({@link HoldTable}).
 */
final class Hold extends WeakReference<Object> {
    private static final VarHandle BORROW_NANOS;

    static {
        try {
            BORROW_NANOS = MethodHandles.lookup().findVarHandle(Hold.class, "borrowNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int hash;
    final PoolState pool;
    /** {@link System#nanoTime()} of the current borrow's end of acquire; 0 while the connection is in the pool. */
    @SuppressWarnings("unused") // through BORROW_NANOS
    private long borrowNanos;
    Thread thread;
    String route;
    /** Where the current borrow happened; captured only while the pool is watched or sampled. */
    Throwable borrowedAt;
    /** The handle given to the application, watched for collection while the pool is watched. */
    HandleRef handle;
    /** The borrow (its {@link #borrowNanos}) already reported as a suspected leak, so it is reported once. */
    long reportedBorrow;

    Hold(Object entry, ReferenceQueue<Object> queue, PoolState pool) {
        super(entry, queue);
        this.hash = System.identityHashCode(entry);
        this.pool = pool;
    }

    /** Application thread, after the fields of this borrow were written. */
    void publishBorrow(long nanos) {
        BORROW_NANOS.setRelease(this, nanos == 0 ? 1 : nanos);
    }

    /** Application thread: the connection is back. */
    void publishReturn() {
        BORROW_NANOS.setRelease(this, 0L);
    }

    long borrowNanos() {
        return (long) BORROW_NANOS.getAcquire(this);
    }

    /** The entry's identity hash. */
    int hash() {
        return hash;
    }

    /** The application's handle of one borrow: enqueued when it is collected, to tell a connection dropped without return. */
    static final class HandleRef extends WeakReference<Object> {
        final Hold hold;
        final long borrowNanos;

        HandleRef(Object handle, ReferenceQueue<Object> queue, Hold hold, long borrowNanos) {
            super(handle, queue);
            this.hold = hold;
            this.borrowNanos = borrowNanos;
        }
    }
}
