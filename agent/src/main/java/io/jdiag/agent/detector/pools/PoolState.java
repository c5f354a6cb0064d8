package io.jdiag.agent.detector.pools;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One pool the agent found: its name and kind, the counters and histograms application threads feed,
 * and what the agent thread last read of the pool's own statistics. Weak to the pool object, so a pool
 * the application dropped is forgotten.
 */
final class PoolState {
    final String name;
    final PoolLibrary library;
    final WeakReference<Object> pool;
    final BucketHistogram acquire = new BucketHistogram();
    final BucketHistogram held = new BucketHistogram();
    final LongAdder exhausted = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder leaks = new LongAdder();
    /**
     * Until when ({@link System#nanoTime()}) borrows capture their stack and watch their handle:
     * set after a suspected leak without a stack, so that the next one names its borrower. 0: not watched.
     */
    volatile long watchUntil;
    /** Set by the agent thread while the pool is short of connections: returns then report their route and hold time. */
    volatile boolean pressure;
    /** Last reading of the pool's own statistics (agent thread). */
    volatile PoolLibrary.Stats stats = PoolLibrary.Stats.UNKNOWN;
    /** The agent thread's bookkeeping of the current shortage, or null. */
    Episode episode;
    /** When the holders' stacks were last taken; 0: never. */
    long lastHolderStacksNanos;
    // What the agent thread saw at its previous poll of this pool.
    long lastPollNanos;
    long lastExhaustedSeen;
    long lastTimeoutsSeen;
    BucketHistogram.Snapshot lastAcquire;
    BucketHistogram.Snapshot lastHeld;

    PoolState(String name, PoolLibrary library, Object pool) {
        this.name = name;
        this.library = library;
        this.pool = new WeakReference<>(pool);
    }

    String kind() {
        return library.kind;
    }

    boolean watched(long now) {
        long w = watchUntil;
        return w != 0 && now - w < 0;
    }
}
