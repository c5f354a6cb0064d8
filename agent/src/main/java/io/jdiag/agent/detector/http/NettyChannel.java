package io.jdiag.agent.detector.http;

import io.jdiag.bootstrap.RequestContext;
import java.util.ArrayDeque;

/**
 * The requests in flight on one Netty channel, oldest first, kept in a channel attribute by the
 * advice. An HTTP/1.1 server answers pipelined requests in the order they came, so a response part
 * belongs to the oldest request, and a body read to the newest. Only the channel's event loop
 * touches it (Netty runs every handler and every write of a channel there), so it needs no locks.
 */
final class NettyChannel {
    /** Requests one channel may have in flight before the next ones are left untracked. */
    static final int MAX_PIPELINED = 32;

    /** One request, from its decoded head to the last part of its response. */
    static final class InFlight {
        final RequestContext.Route route;
        final long startNanos;
        int status = 200;
        /** An interim response ({@code 100 Continue}) was written: its last part does not end the request. */
        boolean interim;

        InFlight(RequestContext.Route route, long startNanos) {
            this.route = route;
            this.startNanos = startNanos;
        }
    }

    private final ArrayDeque<InFlight> requests = new ArrayDeque<>(2);

    /** Adds a request; false (and not added) when the channel already has {@link #MAX_PIPELINED}. */
    boolean add(InFlight request) {
        if (requests.size() >= MAX_PIPELINED) {
            return false;
        }
        requests.addLast(request);
        return true;
    }

    /** The request whose body a read belongs to, or null. */
    InFlight newest() {
        return requests.peekLast();
    }

    /** The request a response part belongs to, or null. */
    InFlight oldest() {
        return requests.peekFirst();
    }

    InFlight removeOldest() {
        return requests.pollFirst();
    }

    int size() {
        return requests.size();
    }
}
