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
