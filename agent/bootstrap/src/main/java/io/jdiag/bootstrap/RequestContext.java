package io.jdiag.bootstrap;

/**
 * The HTTP route in flight on the current thread, set by the server entry-point instrumentation
 * and read by every detector when it records an event, so that any finding can name the route.
 *
 * <p>Holds only {@link String}s: a {@code ThreadLocal} that held agent types would pin the agent
 * class loader and stop a detach from releasing it.
 */
public final class RequestContext {
    private static final ThreadLocal<String> ROUTE = new ThreadLocal<>();

    private RequestContext() {}

    /** The route template ({@code "GET /users/*"}) of the request this thread handles, or null. */
    public static String currentRoute() {
        return ROUTE.get();
    }

    /** Sets the route of the current thread and returns the previous one, to be restored. */
    public static String enter(String route) {
        String previous = ROUTE.get();
        ROUTE.set(route);
        return previous;
    }

    /** Restores what {@link #enter} returned. */
    public static void exit(String previous) {
        if (previous == null) {
            ROUTE.remove();
        } else {
            ROUTE.set(previous);
        }
    }
}
