package io.jdiag.bootstrap;

/**
 * The HTTP route in flight on the current thread, set by the server entry-point instrumentation
 * and read by every detector when it records an event, so that any finding can name the route.
 *
 * <p>A request's route is one {@link Route} object, made by the server entry point (servlet,
 * Netty) from what the container knows (the servlet mapping, the normalised path), then narrowed by
 * the web framework that matched the request (Spring MVC's best-matching pattern, a JAX-RS
 * {@code @Path} template, ...) while the request runs. The entry point times the request under the
 * route's final value, so the metric, the saturation view and every finding raised after the match
 * name the template.
 *
 * <p>Holds only bootstrap types ({@link Route} and {@link String}s): a {@code ThreadLocal} that held
 * agent types would pin the agent class loader and stop a detach from releasing it.
 */
public final class RequestContext {
    private static final ThreadLocal<Route> CURRENT = new ThreadLocal<>();

    private RequestContext() {}

    /**
     * The route of one request. Made by the http detector; its value changes at most from the
     * container's route to a framework's template (the first template wins: a forward inside the
     * application keeps the route the client asked for), and never after the request was recorded
     * ({@link #seal()}). Read by any thread.
     */
    public static final class Route {
        private static final int CONTAINER = 0;
        private static final int UNMATCHED = 1;
        private static final int TEMPLATE = 2;
        private static final int SEALED = 3;

        private final String method;
        private final String base;
        private final boolean timed;
        private volatile String value;
        private volatile int state;

        /**
         * @param value  the route as the container knows it, e.g. {@code "GET /"}
         * @param method the request method, for the framework's template
         * @param base   what a framework's template is relative to: context path plus the servlet's
         *               prefix mapping ({@code "/ctx/api"}), {@code ""} at the root
         * @param timed  whether the entry point that made it times the request (false for a
         *               re-dispatch that only makes the original route current again)
         */
        public Route(String value, String method, String base, boolean timed) {
            this.value = value;
            this.method = method;
            this.base = base == null ? "" : base;
            this.timed = timed;
        }

        /** A route that no framework may change: a re-dispatch of a request already recorded. */
        public static Route sealedCopy(String value) {
            Route r = new Route(value, null, null, false);
            r.state = SEALED;
            return r;
        }

        public String value() {
            return value;
        }

        public String method() {
            return method;
        }

        public String base() {
            return base;
        }

        public boolean timed() {
            return timed;
        }

        /** Whether a framework's template may still replace the value. */
        public boolean refinable() {
            return state < TEMPLATE;
        }

        /** A framework matched the request to {@code route} (a template); the first one wins. */
        public void template(String route) {
            if (state < TEMPLATE) {
                value = route;
                state = TEMPLATE;
            }
        }

        /** A framework handled the request but no handler matched it: {@code route} is the unmatched one. */
        public void unmatched(String route) {
            if (state < UNMATCHED) {
                value = route;
                state = UNMATCHED;
            }
        }

        /** The request was recorded under the current value; it stays so. */
        public void seal() {
            state = SEALED;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** The route template ({@code "GET /users/{id}"}) of the request this thread handles, or null. */
    public static String currentRoute() {
        Route r = CURRENT.get();
        return r == null ? null : r.value;
    }

    /** The route object of the request this thread handles, or null. */
    public static Route current() {
        return CURRENT.get();
    }

    /** Sets the route of the current thread and returns the previous one, to be restored. */
    public static String enter(String route) {
        Route previous = CURRENT.get();
        CURRENT.set(route == null ? null : new Route(route, null, null, false));
        return previous == null ? null : previous.value;
    }

    /** Restores what {@link #enter} returned. */
    public static void exit(String previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(new Route(previous, null, null, false));
        }
    }

    /** Makes {@code route} current on this thread and returns the previous one, for {@link #restore}. */
    public static Route use(Route route) {
        Route previous = CURRENT.get();
        CURRENT.set(route);
        return previous;
    }

    /** Restores what {@link #use} returned. */
    public static void restore(Route previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
