package io.jdiag.agent.detector.pools;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.core.IdentityWeakKey;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.PoolsHooks;
import io.jdiag.bootstrap.RequestContext;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The pools logic, free of Byte Buddy so it is tested with plain objects.
 *
 * <p>Application threads ({@link #acquired}, {@link #acquireFailed}, {@link #released}): per borrow
 * and return, a clock read each, one map lookup each (the connection's {@link Hold}, found by the
 * library's stable entry), one histogram record each, and a few field writes; no allocation unless the
 * pool is watched. Agent thread ({@link #poll}): the pools' own statistics, shortages
 * ({@link Episode}), suspected leaks, findings.
 */
final class PoolsAnalyzer implements PoolsHooks.PoolsSink {
    static final int MAX_POOLS = 64;
    static final int MAX_HOLDS = 100_000;
    /** A library's own return time further than this from the borrow is not the clock we use (HikariCP on macOS keeps millis). */
    static final long MAX_TRUSTED_RELEASE_NANOS = 24 * 3_600_000_000_000L;
    /** A shortage is over when neither waiting threads nor slow acquires were seen for this long. */
    static final long QUIET_NANOS = 1_000_000_000L;
    /** A shortage lasting longer is reported in parts, so that a pool that stays exhausted is reported while it is. */
    static final long MAX_EPISODE_NANOS = 60_000_000_000L;
    /** How long a pool's borrows capture their stack after a leak was suspected without one. */
    static final long WATCH_NANOS = 10 * 60_000_000_000L;
    /** Thread dumps of the longest holders: at most once per pool per this long (each is a safepoint). */
    static final long HOLDER_STACKS_EVERY_NANOS = 10_000_000_000L;
    static final int HOLDERS_REPORTED = 3;
    static final String LEAK_ADVICE = "return the connection on every path (try-with-resources on the Connection,"
            + " or close the response), and keep no connection across requests; see docs/detectors.md#pools";

    private final long acquireThresholdNanos;
    private final long leakThresholdNanos;
    private final double stackSampleRate;
    private final EventPipeline events;
    private final Consumer<FindingEvent> findings;

    private final ConcurrentHashMap<Object, PoolState> pools = new ConcurrentHashMap<>();
    private final HoldTable holds = new HoldTable();
    private final ReferenceQueue<Object> collectedEntries = new ReferenceQueue<>();
    private final ReferenceQueue<Object> collectedHandles = new ReferenceQueue<>();
    private final LongAdder untrackedPools = new LongAdder();

    PoolsAnalyzer(long acquireThresholdNanos, long leakThresholdNanos, double stackSampleRate, EventPipeline events,
                  Consumer<FindingEvent> findings) {
        this.acquireThresholdNanos = acquireThresholdNanos;
        this.leakThresholdNanos = leakThresholdNanos;
        this.stackSampleRate = stackSampleRate;
        this.events = events;
        this.findings = findings;
    }

    // ---- application threads ------------------------------------------------------------------

    @Override
    public void acquired(int library, Object hookPool, Object handle, long start) {
        try {
            long now = System.nanoTime();
            PoolLibrary lib = PoolLibrary.of(library);
            if (lib == null) {
                return;
            }
            Object entry = lib.entryOf(handle);
            Hold h = entry == null ? null : holds.get(entry);
            PoolState p = h != null ? h.pool : pool(lib, hookPool);
            if (p == null) {
                return;
            }
            long wait = now - start;
            p.acquire.record(wait);
            if (wait >= acquireThresholdNanos) {
                p.exhausted.increment();
            }
            if (entry == null) {
                return;
            }
            if (h == null && (h = newHold(entry, p)) == null) {
                return;
            }
            long stamp = now == 0 ? 1 : now;
            // Reference stores only when they change: each costs a GC write barrier.
            Thread thread = Thread.currentThread();
            if (h.thread != thread) {
                h.thread = thread;
            }
            String route = RequestContext.currentRoute();
            if (h.route != route) {
                h.route = route;
            }
            if (p.watched(now) || sampled()) {
                h.borrowedAt = new Throwable("borrowed here");
                h.handle = handle != null && handle != entry ? new Hold.HandleRef(handle, collectedHandles, h, stamp) : null;
            } else if (h.borrowedAt != null || h.handle != null) {
                h.borrowedAt = null;
                h.handle = null;
            }
            h.publishBorrow(stamp);
        } catch (Throwable ignored) {
            // never disturb the application's getConnection
        }
    }

    @Override
    public void acquireFailed(int library, Object hookPool, Throwable thrown, long start) {
        try {
            long wait = System.nanoTime() - start;
            PoolLibrary lib = PoolLibrary.of(library);
            PoolState p = lib == null ? null : pool(lib, hookPool);
            if (p == null) {
                return;
            }
            p.acquire.record(wait);
            if (wait >= acquireThresholdNanos) {
                p.exhausted.increment();
            }
            if (lib.isTimeout(thrown)) {
                p.timeouts.increment();
            }
        } catch (Throwable ignored) {
            // never disturb the application's getConnection
        }
    }

    @Override
    public void released(int library, Object connection) {
        try {
            PoolLibrary lib = PoolLibrary.of(library);
            Object entry = lib == null ? null : lib.releasedEntryOf(connection);
            if (entry == null) {
                return;
            }
            Hold h = holds.get(entry);
            if (h == null) {
                return; // borrowed before the agent came, or never seen
            }
            long borrowed = h.borrowNanos();
            if (borrowed == 0) {
                return; // a second close
            }
            long heldNanos = lib.releaseNanos(entry) - borrowed;
            if (heldNanos < 0 || heldNanos > MAX_TRUSTED_RELEASE_NANOS) {
                heldNanos = System.nanoTime() - borrowed; // the library keeps no time, or another clock
            }
            if (h.handle != null) {
                h.handle = null; // returned: its handle is no leak when collected
            }
            h.publishReturn();
            PoolState p = h.pool;
            p.held.record(heldNanos);
            if (p.pressure) {
                events.offer(new HoldEnded(p, h.route, heldNanos));
            }
        } catch (Throwable ignored) {
            // never disturb the application's close()
        }
    }

    private boolean sampled() {
        return stackSampleRate > 0 && (stackSampleRate >= 1.0 || ThreadLocalRandom.current().nextDouble() < stackSampleRate);
    }

    private Hold newHold(Object entry, PoolState p) {
        return holds.addIfAbsent(new Hold(entry, collectedEntries, p), MAX_HOLDS);
    }

    /** The state of a pool, created on its first sight. */
    PoolState pool(PoolLibrary lib, Object hookPool) {
        Object obj = lib.poolOf(hookPool);
        if (obj == null) {
            return null;
        }
        PoolState p = pools.get(new IdentityWeakKey.Lookup(obj));
        if (p != null) {
            return p;
        }
        synchronized (pools) {
            p = pools.get(new IdentityWeakKey.Lookup(obj));
            if (p != null) {
                return p;
            }
            if (pools.size() >= MAX_POOLS) {
                untrackedPools.increment();
                return null;
            }
            p = new PoolState(uniqueName(lib.name(obj)), lib, obj);
            pools.put(new PoolKey(obj), p);
            return p;
        }
    }

    private String uniqueName(String name) {
        Set<String> taken = new HashSet<>();
        for (PoolState p : pools.values()) {
            taken.add(p.name);
        }
        String candidate = name;
        for (int i = 2; taken.contains(candidate); i++) {
            candidate = name + "#" + i;
        }
        return candidate;
    }

    /** A hold that ended while its pool was short of connections; handled on the agent thread. */
    static final class HoldEnded implements EventPipeline.AgentEvent {
        final PoolState pool;
        final String route;
        final long heldNanos;

        HoldEnded(PoolState pool, String route, long heldNanos) {
            this.pool = pool;
            this.route = route;
            this.heldNanos = heldNanos;
        }

        @Override
        public void handle() {
            Episode e = pool.episode;
            if (e != null) {
                e.holdEnded(route, heldNanos);
            }
        }
    }

    // ---- agent thread -------------------------------------------------------------------------

    /** Agent thread, periodically. */
    void poll() {
        poll(System.nanoTime());
    }

    void poll(long now) {
        forgetCollectedEntries();
        reportCollectedHandles(now);
        for (java.util.Map.Entry<Object, PoolState> en : pools.entrySet()) {
            PoolState p = en.getValue();
            Object pool = p.pool.get();
            if (pool == null) {
                pools.remove(en.getKey());
                continue;
            }
            PoolLibrary.Stats s;
            try {
                s = p.library.read(pool);
            } catch (RuntimeException e) {
                s = PoolLibrary.Stats.UNKNOWN;
            }
            p.stats = s;
            shortage(p, s, now);
        }
        reportLongHolds(now);
    }

    private void shortage(PoolState p, PoolLibrary.Stats s, long now) {
        long exhausted = p.exhausted.sum();
        BucketHistogram.Snapshot acquireNow = p.acquire.snapshot();
        BucketHistogram.Snapshot heldNow = p.held.snapshot();
        long lastPoll = p.lastPollNanos == 0 ? now : p.lastPollNanos;
        boolean waiting = s.pending > 0;
        boolean pressure = waiting || exhausted != p.lastExhaustedSeen;
        Episode e = p.episode;
        if (pressure && e == null) {
            // Counted from the previous poll, so that the slow acquires that revealed the shortage are in it.
            e = new Episode(lastPoll, p.lastAcquire, p.lastHeld, p.lastExhaustedSeen, p.lastTimeoutsSeen);
            p.episode = e;
            p.pressure = true;
        }
        p.lastExhaustedSeen = exhausted;
        p.lastTimeoutsSeen = p.timeouts.sum();
        p.lastPollNanos = now;
        p.lastAcquire = acquireNow;
        p.lastHeld = heldNow;
        if (e == null) {
            return;
        }
        e.observe(s);
        if (pressure) {
            e.lastPressureNanos = now;
        }
        boolean atMax = s.max > 0 && s.active >= s.max;
        if ((waiting || atMax) && (p.lastHolderStacksNanos == 0 || now - p.lastHolderStacksNanos >= HOLDER_STACKS_EVERY_NANOS)) {
            List<Episode.Holder> holders = longestHolders(p, now);
            if (!holders.isEmpty()) {
                e.holders = holders;
                p.lastHolderStacksNanos = now;
            }
        }
        boolean over = !pressure && now - e.lastPressureNanos >= QUIET_NANOS;
        if (over || now - e.startNanos >= MAX_EPISODE_NANOS) {
            FindingEvent f = e.finish(p, acquireNow, heldNow, exhausted, p.timeouts.sum(), now, acquireThresholdNanos);
            if (f != null) {
                findings.accept(f);
            }
            if (over) {
                p.episode = null;
                p.pressure = false;
            } else {
                p.episode = new Episode(now, acquireNow, heldNow, exhausted, p.timeouts.sum());
                p.episode.holders = e.holders;
            }
        }
    }

    /** The connections of {@code p} held longest right now, with their holders' current stacks. */
    private List<Episode.Holder> longestHolders(PoolState p, long now) {
        List<Hold> held = new ArrayList<>();
        for (Hold h : holds.values()) {
            if (h.pool == p && h.borrowNanos() != 0) {
                held.add(h);
            }
        }
        held.sort(Comparator.comparingLong(Hold::borrowNanos));
        List<Episode.Holder> out = new ArrayList<>();
        for (Hold h : held.subList(0, Math.min(HOLDERS_REPORTED, held.size()))) {
            long borrowed = h.borrowNanos();
            Thread t = h.thread;
            if (borrowed == 0 || t == null) {
                continue;
            }
            List<String> stack = Collections.emptyList();
            if (out.isEmpty() && t.isAlive()) {
                // One thread dump per pool and interval: the longest holder's, the one a user reads first.
                Throwable dump = new Throwable("holding a connection");
                dump.setStackTrace(t.getStackTrace());
                stack = Stacks.frames(dump);
            }
            out.add(new Episode.Holder(h.route, t.getName(), (now - borrowed) / 1e9, stack));
        }
        return out;
    }

    private void reportLongHolds(long now) {
        for (Hold h : holds.values()) {
            long borrowed = h.borrowNanos();
            if (borrowed != 0 && now - borrowed >= leakThresholdNanos && h.reportedBorrow != borrowed
                    && !h.pool.stats.closed) {
                leak(h, borrowed, now, false);
            }
        }
    }

    private void reportCollectedHandles(long now) {
        Reference<?> ref;
        while ((ref = collectedHandles.poll()) != null) {
            Hold.HandleRef handle = (Hold.HandleRef) ref;
            Hold h = handle.hold;
            if (h.borrowNanos() == handle.borrowNanos && h.reportedBorrow != handle.borrowNanos) {
                leak(h, handle.borrowNanos, now, true);
            }
        }
    }

    private void forgetCollectedEntries() {
        boolean any = false;
        while (collectedEntries.poll() != null) {
            any = true;
        }
        if (any) {
            holds.removeCollected();
        }
    }

    private void leak(Hold h, long borrowed, long now, boolean collected) {
        PoolState p = h.pool;
        h.reportedBorrow = borrowed;
        p.leaks.increment();
        Throwable at = h.borrowedAt;
        List<String> frames = at == null ? Collections.emptyList() : Stacks.frames(at);
        if (frames.isEmpty()) {
            // The next borrows of this pool capture their stack, so that the next leak names its borrower.
            p.watchUntil = now + WATCH_NANOS;
        }
        String route = h.route;
        Thread t = h.thread;
        String thread = t == null ? null : t.getName();
        String where = Stacks.where(frames, route, "thread " + thread);
        double heldSeconds = (now - borrowed) / 1e9;
        String summary = collected
                ? "connection of pool " + p.name + " borrowed in " + where + " was dropped without being returned"
                        + " (collected by the garbage collector after " + Episode.seconds(heldSeconds) + ")"
                : "connection of pool " + p.name + " borrowed in " + where + " held for " + Episode.seconds(heldSeconds)
                        + " without being returned (pools.leak.threshold " + Episode.seconds(leakThresholdNanos / 1e9) + ")";
        FindingEvent e = new FindingEvent("pools", "connection_leak", "connection_leak " + p.name + " "
                + (route != null ? route : !frames.isEmpty() ? Stacks.site(frames) : "(no route)"))
                .summary(summary)
                .route(route)
                .thread(thread)
                .resource(p.kind() + "_connection", p.name)
                .stack(frames)
                .advice(LEAK_ADVICE)
                .detail("pool", p.name)
                .detail("kind", p.kind())
                .detail("library", p.library.label)
                .detail("reason", collected ? "collected_without_return" : "held_past_threshold")
                .detail("heldSeconds", Episode.round(heldSeconds))
                .detail("borrowStackCaptured", !frames.isEmpty());
        if (!frames.isEmpty()) {
            e.detail("site", Stacks.site(frames));
        } else {
            e.detail("note", "the borrowing stack is captured once a pool showed a leak: this pool's borrows capture"
                    + " theirs for the next " + (WATCH_NANOS / 60_000_000_000L) + " minutes");
        }
        findings.accept(e);
    }

    // ---- reads for metrics, report and tests --------------------------------------------------

    Collection<PoolState> pools() {
        return pools.values();
    }

    long untrackedPools() {
        return untrackedPools.sum();
    }

    int holdCount() {
        return holds.size();
    }

    /** Identity key of a pool object, weak so a dropped pool is forgotten. */
    static final class PoolKey extends IdentityWeakKey<Object> {
        PoolKey(Object pool) {
            super(pool);
        }
    }
}
