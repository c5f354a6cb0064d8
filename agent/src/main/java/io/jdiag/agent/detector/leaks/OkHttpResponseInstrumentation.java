package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import io.jdiag.bootstrap.LeaksHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * {@code http_response} for OkHttp 4: a call keeps its pooled connection ({@code RealCall.connection})
 * until its response body is closed or read to the end; closing the {@code Response} closes the body,
 * so either counts. The call is the tracked resource, opened when {@code execute()} returns with the
 * connection still held (a response without a body has already released it), released in
 * {@code releaseConnectionNoEvents}, where every path that ends the call gives the connection back.
 * Responses of {@code enqueue} are handed to a callback on a dispatcher thread and not tracked. A call
 * with a call timeout stays reachable from OkHttp's timeout watchdog until the timeout fires, so its
 * leak is reported only after that.
 */
public final class OkHttpResponseInstrumentation implements TypeInstrumentation {
    static final String TYPE = "okhttp3.internal.connection.RealCall";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = OkHttpResponseInstrumentation.class.getName();
        advice.apply(named("execute").and(takesArguments(0)), self + "$ExecuteAdvice");
        advice.apply(namedOneOf("releaseConnectionNoEvents$okhttp").and(takesArguments(0)), self + "$ReleaseAdvice");
    }

    /** A library type: checked by the installer when the application has it loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ExecuteAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object self, @Advice.Thrown Throwable thrown,
                                @Advice.FieldValue("connection") Object connection,
                                @Advice.FieldValue("originalRequest") Request request) {
            if (thrown == null && connection != null) {
                HttpUrl url = request.url();
                LeaksHooks.opened(self, "http_response", HttpClientHooks.hostLabel(url.scheme(), url.host(), url.port()));
            }
        }
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            LeaksHooks.closed(self);
        }
    }
}
