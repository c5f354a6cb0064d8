package io.jdiag.agent.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One occurrence of a problem, as a detector reports it to the {@link FindingsStore} (on the agent
 * thread). Occurrences with the same detector, kind and site are merged into one {@link Finding}.
 */
public final class FindingEvent {
    final String detector;
    final String kind;
    final String site;
    String origin;
    String severity = "warning";
    String summary;
    String route;
    String thread;
    String resourceType;
    String resourceDescription;
    List<String> stack = Collections.emptyList();
    String advice;
    final Map<String, Object> details = new LinkedHashMap<>();
    long timeMillis = System.currentTimeMillis();

    /**
     * @param site what makes two occurrences "the same problem": usually the application frame
     *             that caused it plus whatever the detector adds (resource type, pool name)
     */
    public FindingEvent(String detector, String kind, String site) {
        this.detector = detector;
        this.kind = kind;
        this.site = site;
    }

    /**
     * {@code application} or {@code library}, when the detector knows better than the stack; by
     * default the store derives it from the stack ({@link Stacks#origin}).
     */
    public FindingEvent origin(String v) {
        origin = v;
        return this;
    }

    public FindingEvent severity(String v) {
        severity = v;
        return this;
    }

    /** Without the count; the report appends "(N times)". */
    public FindingEvent summary(String v) {
        summary = v;
        return this;
    }

    public FindingEvent route(String v) {
        route = v;
        return this;
    }

    public FindingEvent thread(String v) {
        thread = v;
        return this;
    }

    public FindingEvent resource(String type, String description) {
        resourceType = type;
        resourceDescription = description;
        return this;
    }

    public FindingEvent stack(List<String> v) {
        stack = v;
        return this;
    }

    public FindingEvent advice(String v) {
        advice = v;
        return this;
    }

    /** Small scalar facts (numbers, short strings); never request content. */
    public FindingEvent detail(String key, Object value) {
        details.put(key, value);
        return this;
    }

    public FindingEvent at(long epochMillis) {
        timeMillis = epochMillis;
        return this;
    }
}
