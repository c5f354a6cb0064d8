package io.jdiag.bootstrap;

import java.util.ArrayDeque;

/**
 * The requests in flight on one Netty channel, oldest first, kept in a channel attribute by the
 * advice. An HTTP/1.1 server answers pipelined requests in the order they came, so a response part
 * belongs to the oldest request, and a body read to the newest. Only the channel's event loop
 * touches it (Netty runs every handler and every write of a channel there), so it needs no locks.
 *
 * <p>Made and used by the agent's http detector, but a bootstrap type holding only bootstrap and JDK
 * types: a channel whose request was in flight at a detach keeps it until the request ends or the
 * connection closes, and an agent object there would pin the agent's class loader after the detach.
 */
public final class NettyChannel {
    /** Requests one channel may have in flight before the next ones are left untracked. */
    public static final int MAX_PIPELINED = 32;

    /** One request, from its decoded head to the last part of its response. */
    public static final class InFlight {
        public final RequestContext.Route route;
        public final long startNanos;
        public int status = 200;
        /** An interim response ({@code 100 Continue}) was written: its last part does not end the request. */
        public boolean interim;

        public InFlight(RequestContext.Route route, long startNanos) {
            this.route = route;
            this.startNanos = startNanos;
        }
    }

    private final ArrayDeque<InFlight> requests = new ArrayDeque<>(2);

    /** Adds a request; false (and not added) when the channel already has {@link #MAX_PIPELINED}. */
    public boolean add(InFlight request) {
        if (requests.size() >= MAX_PIPELINED) {
            return false;
        }
        requests.addLast(request);
        return true;
    }

    /** The request whose body a read belongs to, or null. */
    public InFlight newest() {
        return requests.peekLast();
    }

    /** The request a response part belongs to, or null. */
    public InFlight oldest() {
        return requests.peekFirst();
    }

    public InFlight removeOldest() {
        return requests.pollFirst();
    }

    public int size() {
        return requests.size();
    }
}
