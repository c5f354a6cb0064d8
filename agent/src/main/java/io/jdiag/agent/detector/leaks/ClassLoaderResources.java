package io.jdiag.agent.detector.leaks;

import io.jdiag.agent.report.Stacks;
import java.util.List;

/**
 * Resources a class loader opens for its own class and resource loading: the jars of the class path,
 * Spring Boot's nested jars (its {@code LaunchedClassLoader} opens a {@code NestedJarFile} per lookup
 * through an uncached {@code jar:nested:} connection and leaves it to a {@code Cleaner}, by design),
 * a servlet container's web-application jars. They are not leaks: the loader keeps them, or closes
 * them when they become unreachable, and nothing the application could change opened them.
 *
 * <p>The rule, on the opening stack from its top (the constructor) down: the resource is the
 * loader's when a class-loading frame comes before any frame of the application's own code. So a
 * jar an application opens with {@code new ZipFile(...)} is its own (its frame comes first), even
 * when that code runs inside a class initializer, and a jar a loader opens while an application's
 * request handler triggers a class load is the loader's.
 */
final class ClassLoaderResources {
    /** Frames of class loading and of loaders' jar handling (class-name prefixes). */
    private static final String[] LOADER_PREFIXES = {
        "java.lang.ClassLoader.", "java.net.URLClassLoader.", "jdk.internal.loader.", "sun.misc.URLClassPath",
        "sun.net.www.protocol.jar.",
        // Spring Boot's launcher, nested-jar loader and jar: URL handler (3.2+ and the older org.springframework.boot.loader.jar)
        "org.springframework.boot.loader.",
        // Tomcat's web-application loader and resource sets; JBoss Modules; OSGi frameworks
        "org.apache.catalina.loader.", "org.apache.catalina.webresources.", "org.jboss.modules.",
        "org.eclipse.osgi.", "org.apache.felix.framework.",
    };

    private ClassLoaderResources() {}

    /** Whether the resource opened with this stack is a class loader's (see the class comment). */
    static boolean ownedByClassLoader(List<String> frames) {
        for (String f : frames) {
            if (isLoaderFrame(f)) {
                return true;
            }
            if (Stacks.isApplicationFrame(f)) {
                return false;
            }
        }
        return false;
    }

    static boolean isLoaderFrame(String frame) {
        for (String p : LOADER_PREFIXES) {
            if (frame.startsWith(p)) {
                return true;
            }
        }
        // any class loader's own methods: Jetty's WebAppClassLoader, an application server's module loaders
        int paren = frame.indexOf('(');
        String method = paren < 0 ? frame : frame.substring(0, paren);
        int dot = method.lastIndexOf('.');
        return dot > 0 && method.substring(0, dot).endsWith("ClassLoader");
    }
}
