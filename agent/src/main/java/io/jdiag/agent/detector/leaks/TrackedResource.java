package io.jdiag.agent.detector.leaks;

import io.jdiag.agent.core.IdentityWeakKey;
import java.lang.ref.ReferenceQueue;

/**
 * One open resource. A weak reference to it, so tracking never keeps it alive: when the collector
 * finds the resource unreachable while this record is still in the live set (no {@code close()}
 * removed it), the reference is enqueued and the agent thread reports a leak.
 *
 * <p>Also serves as its own key in the live set: hash and equality are the resource's identity
 * ({@link IdentityWeakKey}; found with an {@link IdentityWeakKey.Lookup}).
 */
final class TrackedResource extends IdentityWeakKey<Object> {
    final ResourceType type;
    /** API the user called ({@code FileInputStream}, {@code Socket}, ...). */
    final String api;
    /** Path or address, never content; may be filled in later (a socket learns its peer on connect). */
    volatile String description;
    /**
     * Where it was opened; null when not sampled. Set by the opening thread right after the record
     * is published (so a duplicate report of one resource captures no stack). Decoded only if the
     * resource leaks.
     */
    volatile Throwable openedAt;
    final long openedMillis;
    final String thread;
    final String route;
    /** Decoded lazily, once, by the agent thread or the report. */
    volatile String site;

    TrackedResource(Object resource, ReferenceQueue<Object> queue, ResourceType type, String api,
                    String description, long openedMillis, String thread, String route) {
        super(resource, queue);
        this.type = type;
        this.api = api;
        this.description = description;
        this.openedMillis = openedMillis;
        this.thread = thread;
        this.route = route;
    }
}
