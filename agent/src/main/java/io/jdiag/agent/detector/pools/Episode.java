package io.jdiag.agent.detector.pools;

import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.Stacks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One shortage of one pool, from the first sign (threads waiting, or an acquire that waited past
 * {@code pools.acquire.threshold}) until it has been over for a while: what the pool's counters were
 * at its start, the peaks the agent thread saw, the holds that ended during it (by route), and the
 * longest holders' stacks. At its end it becomes one {@code pool_exhausted} occurrence, with advice
 * computed from what was measured. Agent thread only.
 */
final class Episode {
    static final int MAX_ROUTES = 16;
    static final int MAX_SAMPLES_PER_ROUTE = 1024;
    static final String ADVICE_DOC = "see docs/detectors.md#pools";

    /** Hold times of the holds that ended during the episode, for one route. */
    static final class RouteHolds {
        final String route;
        long count;
        long totalNanos;
        long[] samples = new long[16];
        int size;

        RouteHolds(String route) {
            this.route = route;
        }

        void add(long nanos) {
            count++;
            totalNanos += nanos;
            if (size < MAX_SAMPLES_PER_ROUTE) {
                if (size == samples.length) {
                    samples = Arrays.copyOf(samples, size * 2);
                }
                samples[size++] = nanos;
            }
        }

        double p50Seconds() {
            if (size == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(samples, size);
            Arrays.sort(sorted);
            return sorted[(size - 1) / 2] / 1e9;
        }
    }

    /** A connection held while the pool was short, as the agent thread saw it. */
    static final class Holder {
        final String route;
        final String thread;
        final double heldSeconds;
        final List<String> stack;

        Holder(String route, String thread, double heldSeconds, List<String> stack) {
            this.route = route;
            this.thread = thread;
            this.heldSeconds = heldSeconds;
            this.stack = stack;
        }
    }

    final long startNanos;
    final BucketHistogram.Snapshot acquireAtStart;
    final BucketHistogram.Snapshot heldAtStart;
    final long exhaustedAtStart;
    final long timeoutsAtStart;
    long lastPressureNanos;
    int max = -1;
    int peakDemand;
    int peakActive;
    int peakPending;
    /** Whether the pool was seen at its maximum (not merely growing, or slow to connect). */
    boolean shortOfConnections;
    final Map<String, RouteHolds> holdsByRoute = new LinkedHashMap<>();
    /** The longest holders seen while threads waited, longest first (their stacks taken then). */
    List<Holder> holders = Collections.emptyList();

    Episode(long startNanos, BucketHistogram.Snapshot acquire, BucketHistogram.Snapshot held, long exhausted, long timeouts) {
        this.startNanos = startNanos;
        this.lastPressureNanos = startNanos;
        this.acquireAtStart = acquire;
        this.heldAtStart = held;
        this.exhaustedAtStart = exhausted;
        this.timeoutsAtStart = timeouts;
    }

    /** A reading of the pool's own statistics during the episode. */
    void observe(PoolLibrary.Stats s) {
        if (!s.known()) {
            return;
        }
        max = s.max;
        int pending = Math.max(0, s.pending);
        int active = Math.max(0, s.active);
        peakActive = Math.max(peakActive, active);
        peakPending = Math.max(peakPending, pending);
        peakDemand = Math.max(peakDemand, active + pending);
        // Threads waiting while the pool is below its maximum are waiting for it to open connections
        // (a cold pool growing): slow, but not a pool too small for its load.
        if (s.max > 0 && active >= s.max) {
            shortOfConnections = true;
        }
    }

    /** A hold ended while the episode ran. */
    void holdEnded(String route, long heldNanos) {
        String key = route == null ? "(no route)" : route;
        RouteHolds r = holdsByRoute.get(key);
        if (r == null) {
            if (holdsByRoute.size() >= MAX_ROUTES) {
                key = "(other routes)";
                r = holdsByRoute.get(key);
            }
            if (r == null) {
                r = new RouteHolds(key);
                holdsByRoute.put(key, r);
            }
        }
        r.add(heldNanos);
    }

    /** The route whose holds took the most connection time during the episode, or null. */
    RouteHolds topRoute() {
        RouteHolds best = null;
        for (RouteHolds r : holdsByRoute.values()) {
            if (best == null || r.totalNanos > best.totalNanos) {
                best = r;
            }
        }
        return best;
    }

    /**
     * The episode as a {@code pool_exhausted} occurrence, or null when it was no shortage: no acquire
     * waited past the threshold, or (for a pool whose size is known) the pool never reached its
     * maximum, as when a cold pool grows slower than its load or opening a connection is merely slow.
     */
    FindingEvent finish(PoolState pool, BucketHistogram.Snapshot acquireNow, BucketHistogram.Snapshot heldNow,
                        long exhaustedNow, long timeoutsNow, long nowNanos, long thresholdNanos) {
        long exhausted = exhaustedNow - exhaustedAtStart;
        if (exhausted <= 0 || (pool.library.hasStats() && !shortOfConnections)) {
            return null;
        }
        long timeouts = timeoutsNow - timeoutsAtStart;
        BucketHistogram.Snapshot acquire = acquireNow.minus(acquireAtStart);
        BucketHistogram.Snapshot held = heldNow.minus(heldAtStart);
        double windowSeconds = Math.max(0.001, (lastPressureNanos - startNanos) / 1e9);
        long acquires = acquire.count();
        double rate = acquires / windowSeconds;
        double meanWait = acquire.meanSeconds();
        double meanHeld = held.meanSeconds();
        double p99 = acquire.quantileSeconds(0.99);
        double inPool = (Double.isNaN(meanWait) ? 0 : meanWait) + (Double.isNaN(meanHeld) ? 0 : meanHeld);
        double little = rate * inPool;
        RouteHolds top = topRoute();
        Holder longest = holders.isEmpty() ? null : holders.get(0);
        String topRoute = top != null ? top.route : longest != null ? longest.route : null;

        StringBuilder summary = new StringBuilder();
        summary.append("pool ").append(pool.name).append(" (").append(pool.kind()).append(") exhausted: ");
        int wanted = Math.max(peakDemand, (int) Math.ceil(little));
        if (pool.library.hasStats()) {
            summary.append("max ").append(max).append(", peak demand ").append(peakDemand)
                    .append(fmt(" (%.1f acquires/s × %s from acquire to release)", rate, seconds(inPool)));
        } else {
            summary.append(exhausted).append(" acquires waited over ").append(seconds(thresholdNanos / 1e9))
                    .append(fmt(" (%.1f acquires/s × %s from acquire to release)", rate, seconds(inPool)));
        }
        summary.append("; acquire p99 ").append(seconds(p99));
        if (top != null && !Double.isNaN(top.p50Seconds())) {
            // the method too when the longest holder's stack was taken on that route
            String holder = longest != null && top.route.equals(longest.route)
                    ? Stacks.where(longest.stack, top.route, top.route) : top.route;
            summary.append("; top holder ").append(holder).append(" held p50 ").append(seconds(top.p50Seconds()));
        } else if (longest != null) {
            summary.append("; longest holder ").append(Stacks.where(longest.stack, longest.route, "on " + longest.thread))
                    .append(" held ").append(seconds(longest.heldSeconds));
        }
        String advice;
        if (pool.library.hasStats() && max > 0) {
            summary.append("; raise max to ≥ ").append(Math.max(wanted, max + 1)).append(" or shorten the hold");
            advice = "raise the pool's maximum size to at least " + Math.max(wanted, max + 1)
                    + " (the peak demand: connections held plus threads waiting), or shorten what holds the connections"
                    + (topRoute != null ? " (" + topRoute + ")" : "")
                    + " so that they come back sooner, or bound the concurrency upstream; " + ADVICE_DOC;
        } else {
            advice = "find what makes getConnection slow (a pool of its own that runs dry, a slow connect) and size or"
                    + " shorten it; " + ADVICE_DOC;
        }

        List<String> stack = longest != null ? longest.stack : Collections.emptyList();
        FindingEvent e = new FindingEvent("pools", "pool_exhausted", "pool_exhausted " + pool.name)
                .severity("critical")
                .summary(summary.toString())
                .route(topRoute)
                .thread(longest != null ? longest.thread : null)
                .resource(pool.kind() + "_pool", pool.name)
                .stack(stack)
                .advice(advice)
                .detail("pool", pool.name)
                .detail("kind", pool.kind())
                .detail("library", pool.library.label);
        if (pool.library.hasStats()) {
            e.detail("max", max).detail("peakDemand", peakDemand).detail("peakActive", peakActive)
                    .detail("peakPending", peakPending);
        }
        e.detail("exhaustedAcquires", exhausted)
                .detail("acquireTimeouts", timeouts)
                .detail("acquires", acquires)
                .detail("windowSeconds", round(windowSeconds))
                .detail("acquireRatePerSecond", round(rate))
                .detail("acquireP99Seconds", round(p99))
                .detail("meanWaitSeconds", round(meanWait))
                .detail("meanHeldSeconds", round(meanHeld))
                .detail("littlesLawDemand", round(little))
                .detail("suggestedMax", pool.library.hasStats() ? Math.max(wanted, max + 1) : wanted);
        List<String> routes = new ArrayList<>();
        List<RouteHolds> byTime = new ArrayList<>(holdsByRoute.values());
        byTime.sort((a, b) -> Long.compare(b.totalNanos, a.totalNanos));
        for (RouteHolds r : byTime.subList(0, Math.min(5, byTime.size()))) {
            routes.add(r.route + " x" + r.count + " held p50 " + seconds(r.p50Seconds()));
        }
        if (!routes.isEmpty()) {
            e.detail("topHolders", String.join("; ", routes));
        }
        List<String> longestHolders = new ArrayList<>();
        for (Holder h : holders) {
            longestHolders.add((h.route == null ? "(no route)" : h.route) + " on " + h.thread + " held "
                    + seconds(h.heldSeconds) + (h.stack.isEmpty() ? "" : " at " + Stacks.site(h.stack)));
        }
        if (!longestHolders.isEmpty()) {
            e.detail("longestHolders", String.join("; ", longestHolders));
        }
        return e;
    }

    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }

    /** {@code 500 ms}, {@code 4.9 s}. */
    static String seconds(double s) {
        if (Double.isNaN(s)) {
            return "n/a";
        }
        return s < 1 ? fmt("%.0f ms", s * 1000) : fmt("%.1f s", s);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
