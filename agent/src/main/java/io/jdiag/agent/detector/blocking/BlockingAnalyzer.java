package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.BlockingHooks;
import io.jdiag.bootstrap.RequestContext;
import java.io.FileDescriptor;
import java.util.List;
import java.util.function.Consumer;

/**
 * The blocking logic, free of Byte Buddy. On the loop thread ({@link #blocked}): a few checks, a stack
 * when the loop's token bucket allows, one event to the agent thread. On the agent thread
 * ({@link #record}): metrics and findings, for calls the advice saw and for those the stall
 * watchdog found in a sampled stack ({@link #sampledCall}, {@link #stall}).
 */
final class BlockingAnalyzer implements BlockingHooks.BlockingSink {
    static final String DETECTOR = "blocking";
    static final String BLOCKING_CALL = "blocking_call";
    static final String STALL = "event_loop_stall";
    static final String ADVICE = "move it off the event loop: an asynchronous client, or a worker pool"
            + " (Vert.x executeBlocking, a Netty DefaultEventExecutorGroup, an ExecutorService) that completes"
            + " the response; see docs/detectors.md#blocking";
    static final String STALL_ADVICE = "split the work or move it off the event loop (a worker pool); see docs/detectors.md#blocking";
    /**
     * A raw park shorter than this is not reported: a brief contention for a lock is no blocking. A
     * longer one is, unless it is the JDK's own lock hand-off ({@link LockHandOff}) shorter than a stall.
     */
    static final long MIN_PARK_NANOS = 1_000_000;

    /** A stall this long is reported the first time (see {@link #stall}). */
    static final long ALWAYS_REPORT_NANOS = 1_000_000_000L;
    static final int MAX_HELD_BACK = 1000;
    private static final HeldStall REPORTED = new HeldStall(null, 0);
    /** Site → the first stall there, held back until a second one, or {@link #REPORTED}. Agent thread only. */
    private final java.util.Map<String, HeldStall> stalledSites = new java.util.HashMap<>();

    private final LoopRegistry registry;
    private final BlockingMetrics metrics;
    private final Consumer<FindingEvent> findings;
    private final EventPipeline events;
    /** A lock hand-off this long is reported after all: the loop froze for a stall's length. */
    private final long handOffLimitNanos;

    /**
     * @param stallNanos {@code blocking.stall.threshold}: a lock hand-off ({@link LockHandOff}) that
     *                   long is reported like any other park
     */
    BlockingAnalyzer(LoopRegistry registry, BlockingMetrics metrics, Consumer<FindingEvent> findings, EventPipeline events,
                     long stallNanos) {
        this.registry = registry;
        this.metrics = metrics;
        this.findings = findings;
        this.events = events;
        this.handOffLimitNanos = stallNanos;
    }

    // ---- on the loop thread ----

    @Override
    public void blocked(BlockingHooks.Loop loop, String call, long nanos, Object target) {
        try {
            LoopState l = (LoopState) loop;
            if (loop.kind() == BlockingHooks.PARK
                    && (nanos < MIN_PARK_NANOS || (nanos < handOffLimitNanos && LockHandOff.current()))) {
                return;
            }
            if (ignored(target)) {
                return;
            }
            long now = System.nanoTime();
            Throwable stack = l.takeStackToken(now) ? new Throwable("blocking call") : null;
            events.offer(new BlockedCall(this, l, BlockingCalls.apiName(call), nanos, describe(target), stack,
                    RequestContext.currentRoute(), System.currentTimeMillis()));
        } catch (Throwable ignored) {
            // never disturb the application's call
        }
    }

    /** Console writes (logging to stdout) and the kernel's random device never wait on a disk or peer. */
    static boolean ignored(Object target) {
        if (target instanceof FileDescriptor) {
            return target == FileDescriptor.out || target == FileDescriptor.err;
        }
        return "/dev/urandom".equals(target) || "/dev/random".equals(target);
    }

    private static String describe(Object target) {
        if (target == null) {
            return null;
        }
        if (target instanceof FileDescriptor) {
            return target == FileDescriptor.in ? "stdin" : "a file descriptor";
        }
        return target.toString();
    }

    @Override
    public void loopThread(Object executor) {
        try {
            registry.netty(executor);
        } catch (Throwable ignored) {
            // a loop we cannot register is one we do not watch
        }
    }

    // ---- on the agent thread ----

    /** One blocking call the advice saw; handed from the loop thread to the agent thread. */
    static final class BlockedCall implements EventPipeline.AgentEvent {
        final BlockingAnalyzer analyzer;
        final LoopState loop;
        final String call;
        final long nanos;
        final String target;
        final Throwable stack;
        final String route;
        final long timeMillis;

        BlockedCall(BlockingAnalyzer analyzer, LoopState loop, String call, long nanos, String target, Throwable stack,
                    String route, long timeMillis) {
            this.analyzer = analyzer;
            this.loop = loop;
            this.call = call;
            this.nanos = nanos;
            this.target = target;
            this.stack = stack;
            this.route = route;
            this.timeMillis = timeMillis;
        }

        @Override
        public void handle() {
            analyzer.record(this);
        }
    }

    void record(BlockedCall c) {
        List<String> frames = Stacks.frames(c.stack);
        if (loadsClass(frames)) {
            return; // the JVM reading a class file for the loop: once per class, not the application's doing
        }
        metrics.blockingCall(c.loop.label, c.call, c.nanos);
        if (!frames.isEmpty()) {
            FindingEvent f = blockingCall(c.loop, c.call, frames, c.route, c.nanos, "advice").at(c.timeMillis);
            if (c.target != null) {
                f.detail("target", c.target);
            }
            findings.accept(f);
        }
    }

    /**
     * The watchdog found a stuck loop blocked in a known call the advice cannot see (on JDK 17,
     * {@code Thread.sleep(long)} and {@code Object.wait(long)} are native: no body to weave into).
     *
     * @param ongoing the loop is still stuck (its time is recorded when it ends, {@link #sampledCallEnded})
     */
    void sampledCall(LoopState loop, String call, List<String> frames, String route, long stuckNanos, boolean ongoing) {
        metrics.blockingCall(loop.label, call, ongoing ? -1 : stuckNanos);
        findings.accept(blockingCall(loop, call, frames, route, stuckNanos, "watchdog").detail("ongoing", ongoing));
    }

    void sampledCallEnded(LoopState loop, long nanos) {
        metrics.blockedTime(loop.label, nanos);
    }

    /**
     * A loop stuck in one task longer than the threshold, in no known blocking call: CPU work or
     * blocking on no list. A stall shorter than {@link #ALWAYS_REPORT_NANOS} is reported from its
     * second time at the same site, the second starting after the first ended: the first request
     * through a handler also loads and links classes and runs in the interpreter, which can hold a
     * loop past the threshold once, for no fault of the code — on every loop that runs it at that
     * moment, since the others wait for the class the first one initializes. Agent thread only.
     *
     * @param endNanos when the stall ended (or was seen going on), on the watchdog's clock
     */
    void stall(LoopState loop, List<String> frames, String route, long stuckNanos, boolean ongoing, long endNanos) {
        String site = Stacks.site(frames);
        String where = Stacks.where(site, route, "unknown code");
        long ms = stuckNanos / 1_000_000;
        FindingEvent event = new FindingEvent(DETECTOR, STALL, "stall " + site)
                .summary("event loop " + loop.label + " stuck in one task for " + ms + " ms" + (ongoing ? " so far" : "")
                        + " in " + where)
                .route(route)
                .thread(loop.thread.getName())
                .stack(frames)
                .advice(STALL_ADVICE)
                .detail("loop", loop.label)
                .detail("stuckMillis", ms)
                .detail("ongoing", ongoing)
                .detail("site", site);
        HeldStall held = stalledSites.get(site);
        if (stuckNanos < ALWAYS_REPORT_NANOS && (held == null || (held.event != null && endNanos - stuckNanos < held.endNanos))) {
            if (held == null && stalledSites.size() < MAX_HELD_BACK) {
                stalledSites.put(site, new HeldStall(event, endNanos));
            }
            return; // the first, or one at the same time as the first
        }
        stalledSites.put(site, REPORTED);
        if (held != null && held.event != null) {
            findings.accept(held.event);
        }
        findings.accept(event);
    }

    /** A stall held back until its site stalls again, or {@link #REPORTED}. */
    private static final class HeldStall {
        final FindingEvent event;
        final long endNanos;

        HeldStall(FindingEvent event, long endNanos) {
            this.event = event;
            this.endNanos = endNanos;
        }
    }

    private static FindingEvent blockingCall(LoopState loop, String call, List<String> frames, String route, long nanos,
                                             String seenBy) {
        String site = Stacks.site(frames);
        String where = Stacks.where(site, route, "unknown code");
        return new FindingEvent(DETECTOR, BLOCKING_CALL, call + " " + site)
                .summary(BlockingCalls.shortName(call) + " blocked event loop " + loop.label + " for "
                        + Math.max(0, nanos / 1_000_000) + " ms in " + where)
                .route(route)
                .thread(loop.thread.getName())
                .stack(frames)
                .advice(ADVICE)
                .detail("call", call)
                .detail("loop", loop.label)
                .detail("blockedMillis", nanos / 1e6)
                .detail("seenBy", seenBy)
                .detail("site", site);
    }

    /**
     * The stack passes through class loading (the JVM reads class files with blocking I/O wherever a
     * class is first used) or the agent's own work (its transformer, while a class loads).
     */
    static boolean loadsClass(List<String> frames) {
        for (String f : frames) {
            if (f.startsWith("java.lang.ClassLoader.loadClass(") || f.startsWith("jdk.internal.loader.")
                    || f.startsWith("io.jdiag.shaded.") || f.startsWith("io.jdiag.agent.")) {
                return true;
            }
        }
        return false;
    }
}
