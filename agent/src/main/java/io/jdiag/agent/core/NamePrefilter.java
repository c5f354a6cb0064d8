package io.jdiag.agent.core;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Answers, from a class's name alone, whether any running detector's type matcher may match it.
 * Each matcher is asked about a type that knows only its name: a matcher that decides by name
 * ({@code named}, {@code namedOneOf}, {@code nameStartsWith}, {@code nameContains}) answers; one that
 * needs anything else (modifiers, methods, super types) makes the type throw, and that means "may".
 * So a detector keeps its start-up cost low by putting a name check first in its type matcher, and a
 * matcher without one is simply asked by Byte Buddy about every class, as before.
 *
 * <p>Runs inside the class-file transformer, for every class the JVM loads: no locks, no logging; a
 * matcher that throws anything is a "may" (its detector's guard in the installer deals with it).
 */
final class NamePrefilter {
    /** Thrown by the name-only type for any question but its name. */
    private static final class NeedsMore extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedsMore() {
            super(null, null, false, false);
        }
    }

    private static final NeedsMore NEEDS_MORE = new NeedsMore();

    private final List<ElementMatcher<? super TypeDescription>> matchers = new ArrayList<>();

    NamePrefilter(List<Detector> detectors) {
        this(detectors, java.util.Collections.emptyList());
    }

    /** @param core the core's own instrumentations, matched along with the detectors' */
    NamePrefilter(List<Detector> detectors, List<TypeInstrumentation> core) {
        for (TypeInstrumentation ti : core) {
            matchers.add(ti.typeMatcher());
        }
        for (Detector d : detectors) {
            try {
                for (TypeInstrumentation ti : d.instrumentations()) {
                    matchers.add(ti.typeMatcher());
                }
            } catch (Throwable t) {
                // the installer reports this detector; its classes are then matched by nobody
            }
        }
    }

    /** @param internalName {@code java/io/FileInputStream}, as a class-file transformer gets it; may be null */
    boolean mayMatch(String internalName) {
        if (internalName == null) {
            return true;
        }
        if (isReflectionMachinery(internalName)) {
            return false;
        }
        TypeDescription type = nameOnly(internalName.replace('/', '.'));
        for (ElementMatcher<? super TypeDescription> m : matchers) {
            try {
                if (m.matches(type)) {
                    return true;
                }
            } catch (Throwable needsMoreOrBroken) {
                return true;
            }
        }
        return false;
    }

    /**
     * The JDK's method-handle and reflection classes, which no detector instruments, are answered
     * without a proxy: making the proxy may load one of them, and the JVM then hands that class to
     * this very filter while it is still being loaded (a {@code ClassCircularityError} on JDK 25).
     */
    static boolean isReflectionMachinery(String internalName) {
        return internalName.startsWith("java/lang/invoke/") || internalName.startsWith("java/lang/reflect/")
                || internalName.startsWith("jdk/internal/reflect/") || internalName.startsWith("jdk/internal/misc/")
                || internalName.startsWith("jdk/internal/vm/") || internalName.startsWith("sun/invoke/")
                || internalName.startsWith("sun/reflect/") || internalName.startsWith("jdk/proxy")
                || internalName.contains("$$Lambda");
    }

    static TypeDescription nameOnly(String name) {
        return (TypeDescription) Proxy.newProxyInstance(NamePrefilter.class.getClassLoader(),
                new Class<?>[] {TypeDescription.class}, new NameOnly(name));
    }

    private static final class NameOnly implements InvocationHandler {
        private final String name;

        NameOnly(String name) {
            this.name = name;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "getName":
                case "getActualName":
                case "getTypeName":
                case "toString":
                    if (method.getParameterCount() == 0) {
                        return name;
                    }
                    throw NEEDS_MORE;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    throw NEEDS_MORE;
            }
        }
    }
}
