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
     * The request attribute under which a servlet request that may be dispatched again (it went
     * async, or failed and the container will dispatch it to an error page) keeps its {@link
     * RequestContext.Route}, so that the re-dispatch is not counted as a second request and runs
     * under the original route. Also the exchange attribute of a Spring WebFlux request.
     */
    public static final String ROUTE_ATTRIBUTE = "io.jdiag.route";

    /**
     * A servlet's {@code service} starts. Only the outermost call of a request on this thread is
     * recorded (filters, forwards and includes nest). The mapping pattern is passed when the
     * servlet API has it (Servlet 4+); else the route is derived from servlet path and path info.
     *
     * @param redispatch true for an {@code ASYNC} or {@code ERROR} dispatch of a request that already
     *                   went through a servlet
     * @param recorded   for a re-dispatch, the request's {@link #ROUTE_ATTRIBUTE}: when it holds the
     *                   route of a request already recorded, that route is made current again and
     *                   nothing is timed; otherwise the re-dispatch is recorded as the request
     * @return the route now current on this thread, to hand back to {@link #servletExit}; null when
     *     this call is not recorded
     */
    public static Object servletEnter(Object request, String method, String contextPath, String mappingPattern,
                                      String servletPath, String pathInfo, long startNanos, boolean redispatch,
                                      Object recorded) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s == null || RequestContext.current() != null) {
            return null;
        }
        if (redispatch && recorded instanceof RequestContext.Route) {
            RequestContext.Route again = RequestContext.Route.sealedCopy(((RequestContext.Route) recorded).value());
            RequestContext.use(again);
            return again;
        }
        if ((d = HookGuard.enter()) == null) {
            return null;
        }
        RequestContext.Route route;
        try {
            route = s.servletRequest(method, contextPath, mappingPattern, servletPath, pathInfo);
            if (route != null) {
                s.serverStarted(request, route, startNanos);
            }
        } finally {
            d.exit();
        }
        if (route != null) {
            RequestContext.use(route);
        }
        return route;
    }

    /**
     * The outermost {@code service} call returned (or threw). When the request went async, pass
     * {@code asyncStarted}: timing then ends when the async request completes.
     *
     * @return true when the advice should keep the route on the request ({@link #ROUTE_ATTRIBUTE}):
     *     it went async or failed, so the container may dispatch it again
     */
    public static boolean servletExit(Object request, Object route, long startNanos, int status, Throwable thrown,
                                      boolean asyncStarted) {
        RequestContext.restore(null);
        HttpSink s = sink;
        HookGuard.Depth d;
        if (!(route instanceof RequestContext.Route)) {
            return false;
        }
        RequestContext.Route r = (RequestContext.Route) route;
        if (s == null || !r.timed() || (d = HookGuard.enter()) == null) {
            return false;
        }
        int recordedStatus = thrown != null && status < 400 ? 500 : status;
        try {
            r.seal();
            s.serverReturned(request, r, startNanos, recordedStatus, asyncStarted);
        } finally {
            d.exit();
        }
        return asyncStarted || recordedStatus >= 400;
    }

    /**
     * For an async servlet request: a listener object implementing {@code listenerType} (the
     * container's {@code AsyncListener} interface) that ends the timing on completion; null without a sink.
     */
    public static Object asyncListener(Class<?> listenerType, Object request, Object route, long startNanos) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s == null || !(route instanceof RequestContext.Route) || !((RequestContext.Route) route).timed()
                || (d = HookGuard.enter()) == null) {
            return null;
        }
        try {
            return s.asyncListener(listenerType, request, (RequestContext.Route) route, startNanos);
        } finally {
            d.exit();
        }
    }

    // ---- web frameworks: the template that matched the request ----

    /**
     * A web framework matched the request to {@code template} (Spring's best-matching pattern, a
     * JAX-RS path): the request's route becomes {@code METHOD prefix+template}. No-op when the
     * request has no route or a framework already named it.
     *
     * @param holder   the request's route when the framework kept it ({@link #ROUTE_ATTRIBUTE} of a
     *                 WebFlux exchange), else null: the route current on this thread
     * @param prefix   what the template is relative to when the framework says it (WebFlux's context
     *                 path); null: the servlet's context path and prefix mapping
     * @param template the template; its {@code toString()} is used (Spring's {@code PathPattern})
     */
    public static void frameworkRoute(Object holder, String prefix, Object template) {
        HttpSink s = sink;
        RequestContext.Route r = holder instanceof RequestContext.Route ? (RequestContext.Route) holder : RequestContext.current();
        HookGuard.Depth d;
        if (s == null || r == null || template == null || !r.refinable() || (d = HookGuard.enter()) == null) {
            return;
        }
        try {
            String route = s.frameworkRoute(r.method(), prefix != null ? prefix : r.base(), template.toString());
            if (route != null) {
                r.template(route);
            }
        } finally {
            d.exit();
        }
    }

    /**
     * JAX-RS (Jersey): the templates matched so far, innermost first (the resource method's, then its
     * class's, then any sub-resource locators'), as {@code ExtendedUriInfo.getMatchedTemplates()} lists them.
     */
    public static void frameworkTemplates(String[] innermostFirst) {
        if (sink == null || innermostFirst == null || innermostFirst.length == 0) {
            return;
        }
        StringBuilder path = new StringBuilder();
        for (int i = innermostFirst.length - 1; i >= 0; i--) {
            String t = innermostFirst[i];
            if (t != null && !t.isEmpty()) {
                if (t.charAt(0) != '/') {
                    path.append('/');
                }
                path.append(t);
            }
        }
        frameworkRoute(null, null, path.length() == 0 ? "/" : path.toString());
    }

    /**
     * A web framework matched the request to a resource whose model object knows its template
     * (RESTEasy's {@code ResourceMethod}); the agent reads the template from it.
     */
    public static void frameworkModel(Object model) {
        HttpSink s = sink;
        RequestContext.Route r = RequestContext.current();
        HookGuard.Depth d;
        if (s == null || r == null || model == null || !r.refinable() || (d = HookGuard.enter()) == null) {
            return;
        }
        try {
            String template = s.templateOf(model);
            String route = template == null ? null : s.frameworkRoute(r.method(), r.base(), template);
            if (route != null) {
                r.template(route);
            }
        } finally {
            d.exit();
        }
    }

    /**
     * A web framework took the request ({@code DispatcherServlet} found no handler; Jersey or RESTEasy
     * started matching; WebFlux's {@code DispatcherHandler} was called): unless a handler's template
     * follows, the request is {@code unmatched}, not the servlet mapping a real route also has.
     *
     * @param holder as for {@link #frameworkRoute}
     */
    public static void frameworkUnmatched(Object holder) {
        HttpSink s = sink;
        RequestContext.Route r = holder instanceof RequestContext.Route ? (RequestContext.Route) holder : RequestContext.current();
        HookGuard.Depth d;
        if (s == null || r == null || !r.refinable() || (d = HookGuard.enter()) == null) {
            return;
        }
        try {
            String route = s.frameworkRoute(r.method(), "", null);
            if (route != null) {
                r.unmatched(route);
            }
        } finally {
            d.exit();
        }
    }

    /**
     * Spring WebFlux's {@code DispatcherHandler} was called for an exchange: keeps the request's route
     * in the exchange's attributes (the handler may be matched on another thread) and marks it
     * unmatched until a handler's pattern names it.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void frameworkExchange(java.util.Map attributes) {
        RequestContext.Route r = RequestContext.current();
        if (sink == null || r == null || attributes == null) {
            return;
        }
        if (attributes.get(ROUTE_ATTRIBUTE) == null) {
            attributes.put(ROUTE_ATTRIBUTE, r);
        }
        frameworkUnmatched(r);
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
     * Netty's request in flight, kept on its channel (an attribute) until the response ends. Made by
     * the agent, but a bootstrap type holding bootstrap and JDK types only: a keep-alive channel whose
     * request was in flight at a detach keeps it after the advice that clears it is gone, and an agent
     * object there would pin the agent class loader.
     */
    public static final class NettyInFlight {
        public final RequestContext.Route route;
        public final long startNanos;
        /** The status of the response head, once written; 200 until then. */
        public volatile int status = 200;

        public NettyInFlight(RequestContext.Route route, long startNanos) {
            this.route = route;
            this.startNanos = startNanos;
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
        RequestContext.Route route = null;
        try {
            inFlight = s.nettyRequest(method, uri);
            if (inFlight != null) {
                route = s.route(inFlight);
            }
        } finally {
            d.exit();
        }
        if (route != null) {
            RequestContext.use(route);
        }
        return inFlight;
    }

    /** Netty: a later read on a channel with a request in flight (a body arriving); its route applies again. */
    public static void nettyRead(Object inFlight) {
        HttpSink s = sink;
        HookGuard.Depth d;
        if (s != null && inFlight != null && (d = HookGuard.enter()) != null) {
            RequestContext.Route route;
            try {
                route = s.route(inFlight);
            } finally {
                d.exit();
            }
            RequestContext.use(route);
        }
    }

    /** Netty: the codec finished handing one read to the handlers after it; the route no longer applies to this thread. */
    public static void nettyReadDone() {
        RequestContext.restore(null);
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
        /**
         * The route of a servlet request, by its mapping; null to leave it unrecorded.
         *
         * @param mappingPattern the servlet's mapping ({@code /files/*}) when the API says it (Servlet 4+), else null
         */
        RequestContext.Route servletRequest(String method, String contextPath, String mappingPattern, String servletPath,
                                            String pathInfo);

        /**
         * The bounded route string for a framework's template ({@code "GET /orders/{id}"}), or for a
         * request the framework did not match when {@code template} is null; null to leave the route.
         */
        String frameworkRoute(String method, String base, String template);

        /** The template a framework's model object of a matched resource knows (RESTEasy's {@code getFullpath()}), or null. */
        String templateOf(Object frameworkModel);

        void serverStarted(Object request, RequestContext.Route route, long startNanos);

        void serverReturned(Object request, RequestContext.Route route, long startNanos, int status, boolean asyncStarted);

        Object asyncListener(Class<?> listenerType, Object request, RequestContext.Route route, long startNanos);

        void workerPool(Object pool, String server);

        Object nettyRequest(String method, String uri);

        RequestContext.Route route(Object inFlight);

        void nettyWrite(Object inFlight, int status, boolean last);
    }
}
