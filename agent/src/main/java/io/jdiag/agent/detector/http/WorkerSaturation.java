package io.jdiag.agent.detector.http;

import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.Stacks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The servlet containers' worker pools: registered as the containers create them, read reflectively
 * ({@link WorkerPools}) for the gauges and, once a second on the agent thread, checked for
 * saturation — every worker busy and requests queued. A saturated pool is a {@code worker_saturation}
 * finding that names the routes holding its workers (from the active requests) and, at most once per
 * pool every 10 s, the stack of one worker on the busiest route.
 */
final class WorkerSaturation {
    static final String ADVICE = "find what holds the workers (the stack above), bound it with a timeout, "
            + "or size the pool for the load; see docs/detectors.md#http";
    static final long STACK_EVERY_MILLIS = 10_000;

    private final FindingsStore findings;
    /** The requests being served, by worker thread (the server analyzer's). */
    private final Map<Thread, HttpServerAnalyzer.Active> active;
    private final WorkerPools workerPools = new WorkerPools();
    /** Worker pools by identity, weakly: a container stopped and collected drops out. Guarded by itself. */
    private final Map<Object, String> pools = Collections.synchronizedMap(new WeakHashMap<>());
    /** Agent thread only. */
    private final Map<Object, Long> lastStackMillis = new WeakHashMap<>();

    WorkerSaturation(FindingsStore findings, Map<Thread, HttpServerAnalyzer.Active> active) {
        this.findings = findings;
        this.active = active;
    }

    /** A container created a worker pool; {@code poolClass} says which server it belongs to. */
    void register(Object pool, String poolClass) {
        try {
            pools.put(pool, Servers.of(poolClass));
        } catch (Throwable ignored) {
            // gauges are best effort
        }
    }

    /** Snapshot of every registered pool, read reflectively (the agent cannot see container classes). */
    List<WorkerPools.State> states() {
        List<WorkerPools.State> out = new ArrayList<>();
        for (Map.Entry<Object, String> e : pools()) {
            WorkerPools.State s = workerPools.read(e.getKey(), e.getValue());
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Agent thread: a pool with every worker busy and requests queued is saturated. */
    void check() {
        for (Map.Entry<Object, String> e : pools()) {
            WorkerPools.State s = workerPools.read(e.getKey(), e.getValue());
            if (s != null && s.saturated()) {
                findings.record(finding(e.getKey(), s, System.nanoTime(), System.currentTimeMillis()));
            }
        }
    }

    private List<Map.Entry<Object, String>> pools() {
        synchronized (pools) {
            return new ArrayList<>(pools.entrySet());
        }
    }

    /** The finding for a saturated pool, from the requests its workers serve now. */
    FindingEvent finding(Object pool, WorkerPools.State s, long nowNanos, long nowMillis) {
        Map<String, long[]> byRoute = new LinkedHashMap<>(); // route -> {workers, oldest nanos}
        for (Map.Entry<Thread, HttpServerAnalyzer.Active> a : active.entrySet()) {
            if (!a.getKey().getName().startsWith(s.threadPrefix)) {
                continue;
            }
            long[] v = byRoute.computeIfAbsent(a.getValue().route.value(), r -> new long[2]);
            v[0]++;
            v[1] = Math.max(v[1], nowNanos - a.getValue().startNanos);
        }
        List<Map.Entry<String, long[]>> ranked = new ArrayList<>(byRoute.entrySet());
        ranked.sort(Comparator.comparingLong((Map.Entry<String, long[]> r) -> r.getValue()[0]).reversed());
        StringBuilder routesText = new StringBuilder();
        for (Map.Entry<String, long[]> r : ranked) {
            if (routesText.length() > 0) {
                routesText.append(", ");
            }
            routesText.append(r.getKey()).append(" x").append(r.getValue()[0])
                    .append(String.format(" (oldest %.1f s)", r.getValue()[1] / 1e9));
        }
        String topRoute = null;
        Thread sampleThread = null;
        if (!ranked.isEmpty()) {
            topRoute = ranked.get(0).getKey();
            for (Map.Entry<Thread, HttpServerAnalyzer.Active> a : active.entrySet()) {
                if (a.getValue().route.value().equals(topRoute) && a.getKey().getName().startsWith(s.threadPrefix)) {
                    sampleThread = a.getKey();
                    break;
                }
            }
        }
        // One stack of a worker on the busiest route says what the workers wait on; a stack dump
        // is a safepoint, so at most one per pool every 10 s.
        List<String> stack = Collections.emptyList();
        Long last = lastStackMillis.get(pool);
        if (sampleThread != null && (last == null || nowMillis - last >= STACK_EVERY_MILLIS)) {
            lastStackMillis.put(pool, nowMillis);
            Throwable holder = new Throwable();
            holder.setStackTrace(sampleThread.getStackTrace());
            stack = Stacks.frames(holder);
        }
        String summary = s.server + " worker pool " + s.name + " saturated: " + s.busy + "/" + s.max
                + " workers busy, " + s.queued + " requests queued"
                + (topRoute == null ? "" : "; " + topRoute + " holds " + byRoute.get(topRoute)[0] + " workers");
        return new FindingEvent("http", "worker_saturation", s.server + " " + s.name)
                .severity("critical")
                .summary(summary)
                .route(topRoute)
                .thread(sampleThread == null ? null : sampleThread.getName())
                .stack(stack)
                .advice(ADVICE)
                .detail("pool", s.name)
                .detail("busy", s.busy)
                .detail("max", s.max)
                .detail("queued", s.queued)
                .detail("routesOccupyingWorkers", routesText.toString());
    }
}
