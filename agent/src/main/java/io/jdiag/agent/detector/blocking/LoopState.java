package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.export.LatencyHistogram;
import io.jdiag.bootstrap.BlockingHooks;

/**
 * One registered loop thread: what the hooks see ({@link BlockingHooks.Loop}) plus the agent's own
 * state, in three groups by the one thread that writes each.
 */
final class LoopState extends BlockingHooks.Loop {
    /** Stacks of blocking calls captured per loop thread: a burst, then a steady rate. */
    static final double STACK_BURST = 10;
    static final double STACKS_PER_SECOND = 5;

    final String label;
    /** The Netty event loop ({@link java.util.concurrent.Executor}) probes are posted to; null for a loop named by {@code blocking.threads}. */
    final Object executor;
    final LagProbe probe;

    // ---- written by the loop thread (BlockingAnalyzer.blocked) ----
    private double stackTokens = STACK_BURST;
    private long tokensAt;

    // ---- written by the agent thread (StallWatchdog) ----
    boolean watched;
    int lastGeneration;
    long quietSince;
    long lastProbeAt;
    boolean inStall;
    long stallStart;
    /** The blocking call a stall's sampled stack showed, when the advice could not see it (a native on JDK 17). */
    String stallCall;
    /** The stack sampled while stuck, and the route then; null when the stall is not to be reported. */
    java.util.List<String> stallFrames;
    String stallRoute;
    boolean stallReported;

    LoopState(Thread thread, String label, Object executor, LatencyHistogram lag) {
        super(thread);
        this.label = label;
        this.executor = executor;
        this.probe = executor == null ? null : new LagProbe(lag);
    }

    /** On the loop thread: whether this blocking call's stack may be captured (token bucket). */
    boolean takeStackToken(long nowNanos) {
        if (tokensAt != 0) {
            stackTokens = Math.min(STACK_BURST, stackTokens + (nowNanos - tokensAt) * STACKS_PER_SECOND / 1e9);
        }
        tokensAt = nowNanos;
        if (stackTokens >= 1) {
            stackTokens -= 1;
            return true;
        }
        return false;
    }

    /** Warm-up and tests: the loop made progress, as its hooks would say. */
    void progressForWarmUp() {
        progressed();
    }

    /** Warm-up and tests: the loop is busy, and its idle wait is one the hooks see. */
    void idleKnownForWarmUp() {
        idleState(true, false);
    }

    /** Tests: the loop waits for work. */
    void idleForTest() {
        idleState(true, true);
    }

    @Override
    public String toString() {
        return label + " (" + thread.getName() + ")";
    }
}
