package io.jdiag.agent.core;

import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** One target type (or family), with the advice woven into its methods. */
public interface TypeInstrumentation {
    ElementMatcher<? super TypeDescription> typeMatcher();

    /**
     * Class loaders whose classes are worth matching at all; checked before {@link #typeMatcher()}.
     * Library instrumentations with a costly type matcher return a {@link LibraryPresent}.
     */
    default ElementMatcher<? super ClassLoader> classLoaderMatcher() {
        return net.bytebuddy.matcher.ElementMatchers.any();
    }

    /**
     * Whether this instrumentation waits to be woven until the application shows it needs it: a
     * class is woven with an instrumentation of the same detector that {@linkplain #triggersDeferred()
     * triggers} the deferred ones, or the detector calls {@link DetectorContext#weaveDeferred()}. For
     * advice into hot JDK classes that matters only in some applications (the blocking detector's
     * JDK calls, once an event-loop framework is there): an application that never gets there never
     * pays for their weaving, at start-up or attach.
     */
    default boolean deferred() {
        return false;
    }

    /**
     * Whether weaving this instrumentation into a class weaves its detector's {@linkplain #deferred()
     * deferred} instrumentations too: at install, before the install returns, when such a class is
     * loaded already; else on the agent thread right after such a class is loaded (blocking's Netty
     * executor: loaded when the application builds its event loops, before they run).
     */
    default boolean triggersDeferred() {
        return false;
    }

    /** Calls {@code advice.apply(methods, "pkg.SomeInstrumentation$SomeAdvice")} once per advice. */
    void transform(AdviceTarget advice);

    /**
     * Classes (of the JDK, or of the library this instrumentation targets) that must be
     * transformed when they are loaded; the installer says so on stderr when one was not, so a
     * user learns a detector is blind. {@code AdviceContractTest} also checks each advice's
     * method matcher against them.
     */
    default List<String> requiredTypes() {
        return Collections.emptyList();
    }

    interface AdviceTarget {
        void apply(ElementMatcher<? super MethodDescription> methods, String adviceClassName);
    }
}
