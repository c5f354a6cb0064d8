package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.report.Stacks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs on the agent thread every few tens of milliseconds ({@link #tick}), for every loop:
 *
 * <p><b>Lag.</b> Every {@link #PROBE_INTERVAL_NANOS} it posts a {@link LagProbe} to each Netty loop;
 * the time the probe waits in the loop's queue is {@code jdiag_event_loop_lag_seconds}.
 *
 * <p><b>Stalls.</b> The hooks bump a loop's generation at every task, every handler read, every loop
 * round and every wake-up, and flag it idle while it waits for work (selector, {@code epoll_wait},
 * task queue). A loop that is not idle and whose generation has not moved for
 * {@code blocking.stall.threshold} is stuck in one task: its stack is sampled while it is stuck.
 * Where a loop's idle wait is unknown (a transport without an idle hook), a probe left waiting that
 * long stands in for "not idle". Each stall counts once in {@code jdiag_event_loop_stalls_total}, and
 * the sample, taken while it is stuck, says what it was (reported when the stall ends, with its length):
 * <ul>
 *   <li>inside a blocking call the advice sees: the advice reports it when it returns;</li>
 *   <li>in a known blocking method the advice cannot see (JDK 17's native {@code Thread.sleep(long)}
 *       and {@code Object.wait(long)}): a {@code blocking_call} from the sample;</li>
 *   <li>else running code, or blocking on no list: an {@code event_loop_stall} with the sample.</li>
 * </ul>
 * A stack sample is a safepoint (JDK 17) or handshake: at most one per stall, and a global budget.
 */
final class StallWatchdog {
    static final long PROBE_INTERVAL_NANOS = 100_000_000L;
    /** A stall is reported when it ends, with its length; one that goes on this long is reported while it lasts. */
    static final long ONGOING_NANOS = 2_000_000_000L;
    static final double SAMPLE_BURST = 5;
    static final double SAMPLES_PER_SECOND = 2;

    private final LoopRegistry registry;
    private final BlockingAnalyzer analyzer;
    private final BlockingMetrics metrics;
    private final long thresholdNanos;
    private final LongSupplier clock;
    private final Function<Thread, StackTraceElement[]> sampler;
    private double sampleTokens = SAMPLE_BURST;
    private long tokensAt;

    StallWatchdog(LoopRegistry registry, BlockingAnalyzer analyzer, BlockingMetrics metrics, long thresholdNanos,
                  LongSupplier clock, Function<Thread, StackTraceElement[]> sampler) {
        this.registry = registry;
        this.analyzer = analyzer;
        this.metrics = metrics;
        this.thresholdNanos = thresholdNanos;
        this.clock = clock;
        this.sampler = sampler;
    }

    void tick() {
        long now = clock.getAsLong();
        for (LoopState l : registry.loops()) {
            try {
                check(l, now);
                probe(l, now);
            } catch (Throwable t) {
                // one odd loop must not stop the others being watched
            }
        }
    }

    private void check(LoopState l, long now) {
        int generation = l.generation();
        if (!l.watched || l.idle() || generation != l.lastGeneration) {
            l.watched = true;
            l.lastGeneration = generation;
            l.quietSince = now;
            endStall(l, now);
            return;
        }
        long busySince;
        if (l.idleKnown()) {
            busySince = l.quietSince;
        } else if (l.probe != null && l.probe.pending()) {
            busySince = Math.max(l.quietSince, l.probe.submittedAt());
        } else {
            return; // neither an idle hook nor a waiting probe: an idle loop looks the same as a stuck one
        }
        long stuck = now - busySince;
        if (!l.inStall && stuck >= thresholdNanos) {
            startStall(l, now, stuck, generation);
        } else if (l.inStall && now - l.stallStart >= ONGOING_NANOS) {
            report(l, now, true);
        }
    }

    private void startStall(LoopState l, long now, long stuck, int generation) {
        l.inStall = true;
        l.stallStart = now - stuck;
        l.stallCall = null;
        l.stallFrames = null;
        l.stallRoute = null;
        l.stallReported = false;
        metrics.stall(l.label);
        if (l.inBlockingCall() || !takeSampleToken(now)) {
            return; // the advice reports the call when it returns
        }
        StackTraceElement[] sample = sampler.apply(l.thread);
        if (sample == null || sample.length == 0 || l.generation() != generation || l.idle() || l.inBlockingCall()) {
            return; // it moved on while being sampled: the stack may not show the stall
        }
        List<String> frames = frames(sample);
        BlockingCalls.Sample what = BlockingCalls.classify(frames);
        if (what.idle || BlockingAnalyzer.loadsClass(frames)) {
            return; // waiting for work after all, or the JVM (and the agent's transformer) loading a class
        }
        l.stallFrames = frames;
        l.stallCall = what.call;
        l.stallRoute = l.route();
    }

    /** Reports a sampled stall when it ends, or while it goes on once it has lasted {@link #ONGOING_NANOS}. */
    private void report(LoopState l, long now, boolean ongoing) {
        if (l.stallReported || l.stallFrames == null) {
            return;
        }
        l.stallReported = true;
        long stuck = now - l.stallStart;
        if (l.stallCall != null) {
            analyzer.sampledCall(l, l.stallCall, l.stallFrames, l.stallRoute, stuck, ongoing);
        } else {
            analyzer.stall(l, l.stallFrames, l.stallRoute, stuck, ongoing, now);
        }
    }

    private void endStall(LoopState l, long now) {
        if (l.inStall) {
            l.inStall = false;
            if (!l.stallReported) {
                report(l, now, false);
            } else if (l.stallCall != null) {
                analyzer.sampledCallEnded(l, now - l.stallStart); // reported while it went on; its time is known now
            }
            l.stallFrames = null;
            l.stallCall = null;
        }
    }

    private void probe(LoopState l, long now) {
        LagProbe probe = l.probe;
        if (probe == null || probe.pending() || now - l.lastProbeAt < PROBE_INTERVAL_NANOS) {
            return;
        }
        l.lastProbeAt = now;
        probe.submitted(System.nanoTime());
        try {
            ((Executor) l.executor).execute(probe);
        } catch (RejectedExecutionException shutDown) {
            probe.cancelled();
            registry.drop(l);
        } catch (Throwable t) {
            probe.cancelled();
        }
    }

    private boolean takeSampleToken(long now) {
        if (tokensAt != 0) {
            sampleTokens = Math.min(SAMPLE_BURST, sampleTokens + (now - tokensAt) * SAMPLES_PER_SECOND / 1e9);
        }
        tokensAt = now;
        if (sampleTokens >= 1) {
            sampleTokens -= 1;
            return true;
        }
        return false;
    }

    static List<String> frames(StackTraceElement[] sample) {
        List<String> out = new ArrayList<>(Math.min(sample.length, Stacks.MAX_FRAMES));
        for (int i = 0; i < sample.length && out.size() < Stacks.MAX_FRAMES; i++) {
            out.add(Stacks.frame(sample[i]));
        }
        return out;
    }
}
