package io.jdiag.agent.detector.http;

/**
 * The one place that says which servlet container a class belongs to: the {@code server} label of
 * requests (from the request object's class) and of worker pools (from the pool's class) alike.
 */
final class Servers {
    private Servers() {}

    /** {@code jetty}, {@code tomcat}, {@code undertow}, or {@code servlet} for any other container. */
    static String of(String className) {
        if (className.startsWith("org.eclipse.jetty.")) {
            return "jetty";
        }
        if (className.startsWith("org.apache.catalina.") || className.startsWith("org.apache.coyote.")
                || className.startsWith("org.apache.tomcat.")) {
            return "tomcat";
        }
        if (className.startsWith("io.undertow.")) {
            return "undertow";
        }
        return "servlet";
    }
}
