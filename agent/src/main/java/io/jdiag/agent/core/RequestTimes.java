package io.jdiag.agent.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Time spent serving requests, per route, since the agent started: fed by the detector that times
 * server requests ({@code http}), read by any detector that wants to say what share of a route's
 * time its own finding takes (serialization's hotspot view). Empty while {@code http} is off.
 * Bounded: routes beyond {@link #MAX_ROUTES} are not kept (the http detector folds its routes into
 * a bounded set already).
 */
public final class RequestTimes {
    static final int MAX_ROUTES = 200;

    /** Requests and their total time for one route. */
    public static final class Totals {
        public final long count;
        public final long nanos;

        Totals(long count, long nanos) {
            this.count = count;
            this.nanos = nanos;
        }
    }

    private final Map<String, LongAdder[]> byRoute = new ConcurrentHashMap<>();

    /** A request of {@code route} ({@code "GET /users/{id}"}) finished after {@code nanos}. Any thread; allocation-free once the route is known. */
    public void record(String route, long nanos) {
        LongAdder[] t = byRoute.get(route);
        if (t == null) {
            if (byRoute.size() >= MAX_ROUTES) {
                return;
            }
            t = byRoute.computeIfAbsent(route, r -> new LongAdder[] {new LongAdder(), new LongAdder()});
        }
        t[0].increment();
        t[1].add(nanos);
    }

    /** Route → totals so far. */
    public Map<String, Totals> snapshot() {
        Map<String, Totals> out = new LinkedHashMap<>();
        byRoute.forEach((route, t) -> out.put(route, new Totals(t[0].sum(), t[1].sum())));
        return Collections.unmodifiableMap(out);
    }

    /** Totals of one route; zero counts when unknown. */
    public Totals of(String route) {
        LongAdder[] t = byRoute.get(route);
        return t == null ? new Totals(0, 0) : new Totals(t[0].sum(), t[1].sum());
    }
}
