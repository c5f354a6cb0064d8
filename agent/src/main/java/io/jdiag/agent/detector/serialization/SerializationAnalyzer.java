package io.jdiag.agent.detector.serialization;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.core.RequestTimes;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.RequestContext;
import io.jdiag.bootstrap.SerializationHooks;
import io.jdiag.bootstrap.ThreadCounters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The serialization logic, free of Byte Buddy. Application threads, per outermost call: two histogram
 * records and, inside a request, the route's time, all into the thread's own counters with plain
 * stores; for a call slower than the threshold (rare, and slow itself) a stack and an event. Agent
 * thread: the finding, once the call's type has been slow twice (see {@link #firstSlow}). Report: each
 * route's share of request time spent (de)serializing, against {@link RequestTimes}.
 */
final class SerializationAnalyzer implements SerializationHooks.SerializationSink {
    static final String ADVICE = "serialize less (page the result, project the fields needed), stream it"
            + " (JsonGenerator, a streaming response), or cache what does not change; see docs/detectors.md#serialization";
    static final int MAX_ROUTES = 200;
    /** Types whose first slow call is held back, waiting for a second; beyond, a slow call is reported at once. */
    static final int MAX_PENDING = 200;
    static final String[] LIBRARY_NAMES = {"Jackson", "Gson", "Java serialization"};

    /** Serialization time of one route. */
    static final class RouteTotals {
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    /** One route's line of the hotspot view. */
    static final class RouteShare {
        final String route;
        final long calls;
        final long serializationNanos;
        final long requests;
        final long requestNanos;

        RouteShare(String route, long calls, long serializationNanos, long requests, long requestNanos) {
            this.route = route;
            this.calls = calls;
            this.serializationNanos = serializationNanos;
            this.requests = requests;
            this.requestNanos = requestNanos;
        }

        /** Share of the route's request time spent (de)serializing, 0..1; -1 when the request time is unknown. */
        double share() {
            return requestNanos <= 0 ? -1 : Math.min(1.0, serializationNanos / (double) requestNanos);
        }
    }

    private final long thresholdNanos;
    private final SerializationMetrics metrics;
    private final EventPipeline events;
    private final Consumer<FindingEvent> findings;
    private final RequestTimes requestTimes;
    private final Map<String, RouteTotals> byRoute = new ConcurrentHashMap<>();
    /**
     * Agent thread only. {@code library operation type} → the first slow call of that type, held back until
     * the type is slow again: the first call of a type builds its (de)serializer (Jackson: 100+ ms at start-up
     * for a one-row response), and a GC pause can make any one call slow. A hotspot repeats; a one-off does not.
     */
    private final Map<String, SlowCall> firstSlow = new HashMap<>();
    /** Agent thread only: types slow more than once, reported at every slow call from then on. */
    private final Set<String> repeatedlySlow = new HashSet<>();

    SerializationAnalyzer(long thresholdNanos, SerializationMetrics metrics, EventPipeline events,
                          Consumer<FindingEvent> findings, RequestTimes requestTimes) {
        this.thresholdNanos = thresholdNanos;
        this.metrics = metrics;
        this.events = events;
        this.findings = findings;
        this.requestTimes = requestTimes;
    }

    long thresholdNanos() {
        return thresholdNanos;
    }

    @Override
    public void completed(ThreadCounters counters, int library, int operation, Object value, long bytes, long nanos) {
        try {
            SerializationMetrics.record(counters.values, library, operation, nanos, bytes);
            String route = RequestContext.currentRoute();
            if (route != null) {
                // summed on the thread while its route stays the same; moved to the shared totals when it changes
                if (route != counters.route) {
                    flush(counters);
                    counters.route = route;
                }
                counters.routeNanos += nanos;
                counters.routeCalls++;
            }
            if (nanos > thresholdNanos) {
                String type = value == null ? "null" : value.getClass().getTypeName();
                metrics.slow(library, operation, type);
                events.offer(new SlowCall(library, operation, type, nanos, bytes, route, Thread.currentThread().getName(),
                        new Throwable("serialized here"), System.currentTimeMillis()));
            }
        } catch (Throwable ignored) {
            // never disturb the application's (de)serialization
        }
    }

    /** Moves a thread's pending route time to the shared totals (its own thread, when the route changes). */
    private void flush(ThreadCounters c) {
        if (c.route != null && c.routeCalls > 0) {
            RouteTotals t = totals(c.route);
            if (t != null) {
                t.calls.add(c.routeCalls);
                t.nanos.add(c.routeNanos);
            }
        }
        c.routeCalls = 0;
        c.routeNanos = 0;
    }

    private RouteTotals totals(String route) {
        RouteTotals t = byRoute.get(route);
        if (t == null && byRoute.size() < MAX_ROUTES) {
            t = byRoute.computeIfAbsent(route, r -> new RouteTotals());
        }
        return t;
    }

    /** Routes with serialization time, most first, at most {@code limit}. */
    List<RouteShare> shares(int limit) {
        Map<String, long[]> sums = new HashMap<>();
        for (Map.Entry<String, RouteTotals> e : byRoute.entrySet()) {
            sums.put(e.getKey(), new long[] {e.getValue().calls.sum(), e.getValue().nanos.sum()});
        }
        // what threads are still summing for their current route (read without synchronization: a
        // report may miss a call or two in flight, never more)
        int g = SerializationHooks.generation();
        for (ThreadCounters c : SerializationHooks.threadCounters()) {
            String route = c.route;
            long calls = c.routeCalls;
            if (c.generation == g && route != null && calls > 0 && (sums.containsKey(route) || sums.size() < MAX_ROUTES)) {
                long[] s = sums.computeIfAbsent(route, r -> new long[2]);
                s[0] += calls;
                s[1] += c.routeNanos;
            }
        }
        List<RouteShare> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : sums.entrySet()) {
            RequestTimes.Totals requests = requestTimes.of(e.getKey());
            out.add(new RouteShare(e.getKey(), e.getValue()[0], e.getValue()[1], requests.count, requests.nanos));
        }
        out.sort(Comparator.comparingLong((RouteShare s) -> s.serializationNanos).reversed().thenComparing(s -> s.route));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** One call slower than the threshold, turned into a finding on the agent thread. */
    final class SlowCall implements EventPipeline.AgentEvent {
        final int library;
        final int operation;
        final String type;
        final long nanos;
        final long bytes;
        final String route;
        final String thread;
        final Throwable where;
        final long timeMillis;

        SlowCall(int library, int operation, String type, long nanos, long bytes, String route, String thread,
                 Throwable where, long timeMillis) {
            this.library = library;
            this.operation = operation;
            this.type = type;
            this.nanos = nanos;
            this.bytes = bytes;
            this.route = route;
            this.thread = thread;
            this.where = where;
            this.timeMillis = timeMillis;
        }

        @Override
        public void handle() {
            String key = library + " " + operation + " " + type;
            if (repeatedlySlow.contains(key)) {
                findings.accept(finding());
                return;
            }
            SlowCall first = firstSlow.remove(key);
            if (first != null) {
                repeatedlySlow.add(key);
                findings.accept(first.finding());
                findings.accept(finding());
            } else if (firstSlow.size() < MAX_PENDING && repeatedlySlow.size() < MAX_PENDING * 5) {
                firstSlow.put(key, this);
            } else {
                findings.accept(finding());
            }
        }

        FindingEvent finding() {
            List<String> frames = Stacks.frames(where);
            String site = Stacks.site(frames);
            String lib = SerializationMetrics.LIBRARIES[library];
            String op = SerializationMetrics.OPERATIONS[operation];
            String where = Stacks.where(site, route, "unknown code");
            String summary = LIBRARY_NAMES[library] + " " + op + " of " + type + " took " + millis(nanos) + " in " + where
                    + (bytes >= 0 ? " (" + size(bytes) + ")" : "");
            FindingEvent e = new FindingEvent("serialization", "slow_serialization", lib + " " + op + " " + site)
                    .summary(summary)
                    .route(route)
                    .thread(thread)
                    .resource(lib, type)
                    .stack(fromCall(frames))
                    .advice(ADVICE)
                    .detail("library", lib)
                    .detail("operation", op)
                    .detail("type", type)
                    .detail("seconds", nanos / 1e9)
                    .detail("thresholdSeconds", thresholdNanos / 1e9)
                    .detail("site", site)
                    .at(timeMillis);
            if (bytes >= 0) {
                e.detail("bytes", bytes);
            }
            return e;
        }
    }

    /**
     * The stack from the serializer method the application called: its internals (and the JDK's) above
     * are dropped, so it reads "what was called, from where".
     */
    static List<String> fromCall(List<String> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (Stacks.isApplicationFrame(frames.get(i))) {
                return i == 0 ? frames : new ArrayList<>(frames.subList(i - 1, frames.size()));
            }
        }
        return frames;
    }

    static String millis(long nanos) {
        return nanos >= 10_000_000_000L ? String.format(Locale.ROOT, "%.1f s", nanos / 1e9)
                : String.format(Locale.ROOT, "%d ms", nanos / 1_000_000);
    }

    static String size(long bytes) {
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
        }
        return bytes + " B";
    }
}
