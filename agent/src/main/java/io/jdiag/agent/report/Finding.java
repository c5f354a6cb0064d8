package io.jdiag.agent.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A grouped finding: every occurrence of one problem at one site. Written by the agent thread,
 * read by endpoint threads; all access goes through the store's lock.
 */
public final class Finding {
    /** {@code origin}: the stack holds a frame of the application's own code (or there is no stack to tell). */
    public static final String APPLICATION = "application";
    /** {@code origin}: every frame is the JDK's, the agent's or a known library's; severity {@code info}. */
    public static final String LIBRARY = "library";

    /** Routes remembered per finding, most occurrences first; bounded. */
    static final int MAX_ROUTES = 8;

    final String id;
    final String detector;
    final String kind;
    final String site;
    final String origin;
    String severity;
    String summary;
    long count;
    long firstSeen;
    long lastSeen;
    String thread;
    String resourceType;
    String resourceDescription;
    List<String> stack;
    String advice;
    Map<String, Object> details;
    final Map<String, Long> routes = new LinkedHashMap<>();

    Finding(String id, FindingEvent e) {
        this.id = id;
        this.detector = e.detector;
        this.kind = e.kind;
        this.site = e.site;
        this.origin = e.origin != null ? e.origin : Stacks.origin(e.stack);
        this.firstSeen = e.timeMillis;
        merge(e);
    }

    void merge(FindingEvent e) {
        count++;
        lastSeen = Math.max(lastSeen, e.timeMillis);
        // A library's finding is information, not the application's bug, whatever the detector said.
        severity = LIBRARY.equals(origin) ? "info" : e.severity;
        summary = e.summary;
        thread = e.thread;
        resourceType = e.resourceType;
        resourceDescription = e.resourceDescription;
        if (stack == null || stack.isEmpty()) {
            stack = e.stack;
        }
        advice = e.advice;
        details = new LinkedHashMap<>(e.details);
        if (e.route != null && (routes.containsKey(e.route) || routes.size() < MAX_ROUTES)) {
            routes.merge(e.route, 1L, Long::sum);
        }
    }

    /** The route most occurrences happened in, or null when none ran inside a request. */
    String route() {
        String best = null;
        long bestCount = 0;
        for (Map.Entry<String, Long> r : routes.entrySet()) {
            if (r.getValue() > bestCount) {
                best = r.getKey();
                bestCount = r.getValue();
            }
        }
        return best;
    }

    /** An immutable copy for rendering outside the store's lock. */
    Snapshot snapshot() {
        return new Snapshot(this);
    }

    /** Read-only view of a finding at one moment. */
    public static final class Snapshot {
        public final String id;
        public final String detector;
        public final String kind;
        public final String origin;
        public final String severity;
        public final String summary;
        public final long count;
        public final long firstSeen;
        public final long lastSeen;
        public final String route;
        public final Map<String, Long> routes;
        public final String thread;
        public final String resourceType;
        public final String resourceDescription;
        public final List<String> stack;
        public final String advice;
        public final Map<String, Object> details;

        Snapshot(Finding f) {
            id = f.id;
            detector = f.detector;
            kind = f.kind;
            origin = f.origin;
            severity = f.severity;
            summary = f.summary;
            count = f.count;
            firstSeen = f.firstSeen;
            lastSeen = f.lastSeen;
            route = f.route();
            routes = Collections.unmodifiableMap(new LinkedHashMap<>(f.routes));
            thread = f.thread;
            resourceType = f.resourceType;
            resourceDescription = f.resourceDescription;
            stack = f.stack;
            advice = f.advice;
            details = Collections.unmodifiableMap(f.details);
        }

        /** The summary with its count, as people read it: "... was never closed (17 times)". */
        public String summaryWithCount() {
            return count > 1 ? summary + " (" + count + " times)" : summary;
        }
    }
}
