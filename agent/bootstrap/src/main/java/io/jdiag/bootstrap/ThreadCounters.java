package io.jdiag.bootstrap;

import java.lang.ref.WeakReference;

/**
 * Counters of one thread, written only by that thread with plain (non-atomic) stores and summed by the
 * agent when it is scraped: a hot path that counts every call pays no atomic instruction (an uncontended
 * {@code LongAdder} add is a locked compare-and-swap, as costly as the rest of the hook together). The
 * agent folds the counters of threads that died into its own totals and drops them.
 *
 * <p>JDK types only; holds its thread weakly, so a finished thread is not kept alive by its counters.
 */
public final class ThreadCounters {
    /** The install of the hooks these belong to ({@code SerializationHooks.generation()}). */
    public final int generation;
    /** The thread that writes these counters. */
    public final WeakReference<Thread> thread;
    /** Laid out by the agent; written by {@link #thread} only. Read by others without synchronization. */
    public final long[] values;
    /** The route whose time is being summed in {@link #routeNanos}; the agent moves it to its totals when the route changes. */
    public String route;
    public long routeNanos;
    public long routeCalls;

    ThreadCounters(int generation, Thread thread, int slots) {
        this.generation = generation;
        this.thread = new WeakReference<>(thread);
        this.values = new long[slots];
    }
}
