package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.apache.hc.client5.http.classic.ExecRuntime;

/**
 * {@code http_response} for Apache HttpClient 5 (classic): a {@code CloseableHttpResponse} with a
 * streamed body is built with the call's {@code ExecRuntime}, which holds the leased connection until
 * the response is closed or its entity consumed. The runtime is the tracked resource (responses without
 * a body are built after the runtime released its connection, with none); its release is
 * {@link Apache5ExecRuntimeInstrumentation}.
 */
public final class Apache5ResponseInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.hc.client5.http.impl.classic.CloseableHttpResponse";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(isConstructor().and(takesArguments(2))
                        .and(takesArgument(1, named("org.apache.hc.client5.http.classic.ExecRuntime"))),
                Apache5ResponseInstrumentation.class.getName() + "$ResponseAdvice");
    }

    /** A library type: checked by the installer when the application has it loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ResponseAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(1) ExecRuntime runtime) {
            if (runtime != null && runtime.isEndpointAcquired()) {
                LeaksHooks.opened(runtime, "http_response", null);
            }
        }
    }
}
