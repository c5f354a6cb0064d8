package io.jdiag.agent.detector.leaks;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * One open resource. A weak reference to it, so tracking never keeps it alive: when the collector
 * finds the resource unreachable while this record is still in the live set (no {@code close()}
 * removed it), the reference is enqueued and the agent thread reports a leak.
 *
 * <p>Also serves as its own key in the live set: hash and equality are the resource's identity.
 */
final class TrackedResource extends WeakReference<Object> {
    private final int hash;
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
        this.hash = System.identityHashCode(resource);
        this.type = type;
        this.api = api;
        this.description = description;
        this.openedMillis = openedMillis;
        this.thread = thread;
        this.route = route;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Same resource (by identity); a cleared record equals only itself. */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof TrackedResource)) {
            return false;
        }
        Object mine = get();
        return mine != null && mine == ((TrackedResource) o).get();
    }

    /** A throw-away key to find the record of a resource in the live set. */
    static final class Lookup {
        private final Object resource;

        Lookup(Object resource) {
            this.resource = resource;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(resource);
        }

        /** ConcurrentHashMap calls {@code key.equals(storedKey)}: the stored key is a TrackedResource. */
        @Override
        public boolean equals(Object o) {
            return o instanceof TrackedResource && ((TrackedResource) o).get() == resource;
        }
    }
}
