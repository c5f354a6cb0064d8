package io.jdiag.bootstrap;

/**
 * Entry points for the {@code http} detector's advice, woven into servlet containers, Netty and
 * HTTP clients. Advice passes plain strings and objects; everything that needs the agent (route
 * templates, metrics, findings) is behind the sink. Each method is a no-op without a sink.
 */
public final class HttpHooks {
    private static volatile HttpSink sink;

    private HttpHooks() {}

    public static void install(HttpSink newSink) {
        sink = newSink;
    }

    /**
     * A servlet's {@code service} starts. Only the outermost call of a request on this thread is
     * recorded (filters, forwards and includes nest). The mapping pattern is passed when the
     * servlet API has it (Servlet 4+); else the route is derived from servlet path and path info.
     *
     * @return the route now current on this thread, to hand back to {@link #servletExit}; null when
     *     this call is not recorded
     */
    public static String servletEnter(Object request, String method, String contextPath, String mappingPattern,
                                      String servletPath, String pathInfo, long startNanos) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s == null || RequestContext.currentRoute() != null || (d = HookGuard.enter()) == null) {
            return null;
        }
        String route;
        try {
            route = s.servletRoute(method, contextPath, mappingPattern, servletPath, pathInfo);
            if (route != null) {
                s.serverStarted(request, route, startNanos);
            }
        } finally {
            d.exit();
        }
        if (route != null) {
            RequestContext.enter(route);
        }
        return route;
    }

    /**
     * The outermost {@code service} call returned (or threw). When the request went async, pass
     * {@code asyncStarted}: timing then ends when the async request completes.
     */
    public static void servletExit(Object request, String route, long startNanos, int status, Throwable thrown,
                                   boolean asyncStarted) {
        RequestContext.exit(null);
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s != null && route != null && (d = HookGuard.enter()) != null) {
            try {
                s.serverReturned(request, route, startNanos, thrown != null && status < 400 ? 500 : status, asyncStarted);
            } finally {
                d.exit();
            }
        }
    }

    /**
     * For an async servlet request: a listener object implementing {@code listenerType} (the
     * container's {@code AsyncListener} interface) that ends the timing on completion; null without a sink.
     */
    public static Object asyncListener(Class<?> listenerType, Object request, String route, long startNanos) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s == null || (d = HookGuard.enter()) == null) {
            return null;
        }
        try {
            return s.asyncListener(listenerType, request, route, startNanos);
        } finally {
            d.exit();
        }
    }

    /** A server worker pool was created (Jetty {@code QueuedThreadPool}, Tomcat's executor). */
    public static void workerPool(Object pool, String server) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s != null && (d = HookGuard.enter()) != null) {
            try {
                s.workerPool(pool, server);
            } finally {
                d.exit();
            }
        }
    }

    /**
     * Netty: the server codec decoded a request. Makes its route current on this thread (the
     * handlers after the codec run inside this read) and returns the in-flight request, which the
     * advice keeps on the channel; null without a sink.
     */
    public static Object nettyRequest(String method, String uri) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s == null || (d = HookGuard.enter()) == null) {
            return null;
        }
        Object inFlight;
        String route = null;
        try {
            inFlight = s.nettyRequest(method, uri);
            if (inFlight != null) {
                route = s.route(inFlight);
            }
        } finally {
            d.exit();
        }
        if (route != null) {
            RequestContext.enter(route);
        }
        return inFlight;
    }

    /** Netty: a later read on a channel with a request in flight (a body arriving); its route applies again. */
    public static void nettyRead(Object inFlight) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s != null && inFlight != null && (d = HookGuard.enter()) != null) {
            String route;
            try {
                route = s.route(inFlight);
            } finally {
                d.exit();
            }
            RequestContext.enter(route);
        }
    }

    /** Netty: the codec finished handing one read to the handlers after it; the route no longer applies to this thread. */
    public static void nettyReadDone() {
        RequestContext.exit(null);
    }

    /**
     * Netty: a response part is written for the in-flight request.
     *
     * @param status the status when the part is the response head, else -1
     * @param last   true for the last part, which ends the request
     */
    public static void nettyWrite(Object inFlight, int status, boolean last) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s != null && inFlight != null && (d = HookGuard.enter()) != null) {
            try {
                s.nettyWrite(inFlight, status, last);
            } finally {
                d.exit();
            }
        }
    }

    /** Implemented by the agent; must never throw and never block. */
    public interface HttpSink {
        /** @param mappingPattern the servlet's mapping ({@code /files/*}) when the API says it (Servlet 4+), else null */
        String servletRoute(String method, String contextPath, String mappingPattern, String servletPath, String pathInfo);

        void serverStarted(Object request, String route, long startNanos);

        void serverReturned(Object request, String route, long startNanos, int status, boolean asyncStarted);

        Object asyncListener(Class<?> listenerType, Object request, String route, long startNanos);

        void workerPool(Object pool, String server);

        Object nettyRequest(String method, String uri);

        String route(Object inFlight);

        void nettyWrite(Object inFlight, int status, boolean last);
    }
}
