package io.jdiag.agent.core;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches class loaders that can see a library (by one of its class files), answering once per
 * loader. Put before an expensive type matcher (a hierarchy walk), it spares every class of
 * every loader without the library: most of them, on a hot attach to a JVM with thousands of
 * loaded classes. The bootstrap loader never holds an instrumented library.
 */
public final class LibraryPresent implements ElementMatcher<ClassLoader> {
    private final String classFile;
    /** Weak keys: a web app's loader that is dropped on redeploy is not kept alive here. */
    private final Map<ClassLoader, Boolean> seen = Collections.synchronizedMap(new WeakHashMap<>());

    /** @param className a class of the library, e.g. {@code jakarta.servlet.Servlet} */
    public LibraryPresent(String className) {
        this.classFile = className.replace('.', '/') + ".class";
    }

    @Override
    public boolean matches(ClassLoader loader) {
        if (loader == null) {
            return false;
        }
        Boolean known = seen.get(loader);
        if (known == null) {
            known = loader.getResource(classFile) != null;
            seen.put(loader, known);
        }
        return known;
    }
}
