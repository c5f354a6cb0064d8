package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.export.LatencyHistogram;

/**
 * The task the watchdog posts to a loop: when it runs, how long it waited in the loop's queue is the
 * loop's scheduling lag. One per loop, reused; at most one in flight.
 */
final class LagProbe implements Runnable {
    private final LatencyHistogram lag;
    private volatile long submittedAt;
    private volatile boolean pending;
    volatile boolean stopped;

    LagProbe(LatencyHistogram lag) {
        this.lag = lag;
    }

    boolean pending() {
        return pending;
    }

    long submittedAt() {
        return submittedAt;
    }

    /** Before posting it. */
    void submitted(long nowNanos) {
        submittedAt = nowNanos;
        pending = true;
    }

    /** The post failed: nothing is in flight. */
    void cancelled() {
        pending = false;
    }

    /** On the loop thread. */
    @Override
    public void run() {
        if (pending) {
            long waited = System.nanoTime() - submittedAt;
            pending = false;
            if (!stopped) {
                lag.recordNanos(waited);
            }
        }
    }
}
