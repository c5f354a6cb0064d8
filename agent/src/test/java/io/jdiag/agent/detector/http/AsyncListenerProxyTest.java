package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.bootstrap.RequestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The async servlet listener proxy: ends a request once, with the right status, and re-registers on a new cycle. */
class AsyncListenerProxyTest {
    /** Shaped like {@code AsyncListener}. */
    public interface Listener {
        void onComplete(Object event);

        void onTimeout(Object event);

        void onError(Object event);

        void onStartAsync(Object event);
    }

    /** Shaped like {@code AsyncEvent}: its supplied response and request. */
    public static final class Event {
        private final Response response;
        private final Request request;

        Event(Response response, Request request) {
            this.response = response;
            this.request = request;
        }

        public Response getSuppliedResponse() {
            return response;
        }

        public Request getAsyncContext() { // on the request in real life; the proxy asks its argument
            return request;
        }
    }

    public static final class Response {
        private final int status;

        Response(int status) {
            this.status = status;
        }

        public int getStatus() {
            return status;
        }
    }

    /** Shaped like {@code AsyncContext}: listeners added to it. */
    public static final class Request {
        final List<Object> listeners = new ArrayList<>();

        public void addListener(Object listener) {
            listeners.add(listener);
        }
    }

    private final List<Integer> finished = new ArrayList<>();
    private final RequestContext.Route route = new RequestContext.Route("GET /async", "GET", "", true);
    private final Listener listener = (Listener) AsyncListenerProxy.create(Listener.class, route, finished::add);

    @Test
    void completionEndsTheRequestOnceWithTheResponseStatus() {
        listener.onComplete(new Event(new Response(201), null));
        listener.onComplete(new Event(new Response(201), null));
        listener.onError(new Event(new Response(200), null));
        assertThat(finished).containsExactly(201);
    }

    @Test
    void anErrorOrATimeoutIsAtLeast500() {
        listener.onTimeout(new Event(new Response(200), null));
        assertThat(finished).containsExactly(500);
        Listener other = (Listener) AsyncListenerProxy.create(Listener.class, route, finished::add);
        other.onError(new Event(new Response(503), null));
        assertThat(finished).containsExactly(500, 503);
    }

    @Test
    void anUnreadableStatusIs200AndObjectMethodsAnswerWithoutTheRequest() {
        listener.onComplete("not an event");
        assertThat(finished).containsExactly(200);
        assertThat(listener.toString()).isEqualTo("jdiag async timing of GET /async");
        assertThat(listener.equals(listener)).isTrue();
        assertThat(listener.hashCode()).isEqualTo(System.identityHashCode(listener));
    }

    @Test
    void aNewAsyncCycleRegistersTheListenerAgain() {
        Request context = new Request();
        listener.onStartAsync(new Event(null, context));
        assertThat(context.listeners).containsExactly(listener);
        assertThat(finished).isEmpty();
    }
}
