package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The release of an Apache HttpClient 5 response ({@link Apache5ResponseInstrumentation}): the
 * {@code InternalExecRuntime} gives its connection back in {@code releaseEndpoint()} (entity read to
 * the end or consumed, {@code ResponseHandler} overloads) or {@code discardEndpoint()} (response closed
 * early, errors).
 */
public final class Apache5ExecRuntimeInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.hc.client5.http.impl.classic.InternalExecRuntime";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(namedOneOf("releaseEndpoint", "discardEndpoint").and(takesArguments(0)),
                Apache5ExecRuntimeInstrumentation.class.getName() + "$ReleaseAdvice");
    }

    /** A library type: checked by the installer when the application has it loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            LeaksHooks.closed(self);
        }
    }
}
