package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.Timeout;

/**
 * OkHttp 4: {@code okhttp3.internal.connection.RealCall}. The timeouts are decided where the application
 * hands the call over ({@code execute}, {@code enqueue}: on its own thread, so the stack names it); the
 * exchange is timed around {@code getResponseWithInterceptorChain}, which both run (for {@code enqueue},
 * later, on a dispatcher thread), up to the response headers.
 *
 * <p>The call's own timeout ({@code call.timeout()}) is read rather than the client's
 * {@code callTimeoutMillis}: it starts as the client's and a caller may change it per call.
 */
public final class OkHttpClientInstrumentation implements TypeInstrumentation {
    static final String TYPE = "okhttp3.internal.connection.RealCall";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = OkHttpClientInstrumentation.class.getName();
        advice.apply(named("execute").and(takesArguments(0)).or(named("enqueue").and(takesArguments(1))),
                self + "$CallAdvice");
        advice.apply(namedOneOf("getResponseWithInterceptorChain$okhttp").and(takesArguments(0)), self + "$ExchangeAdvice");
    }

    /** Library types: checked by the installer when the application has them loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class CallAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Call call, @Advice.FieldValue("client") OkHttpClient client,
                                 @Advice.FieldValue("originalRequest") Request request) {
            HttpUrl url = request.url();
            Timeout timeout = call.timeout();
            HttpClientHooks.okhttpCall(url.scheme(), url.host(), url.port(), client.connectTimeoutMillis(),
                    client.readTimeoutMillis(), timeout.timeoutNanos(), timeout.hasDeadline());
        }
    }

    public static class ExchangeAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return HttpClientHooks.start();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long start, @Advice.FieldValue("originalRequest") Request request,
                                @Advice.Return Response response) {
            if (start != 0) {
                HttpUrl url = request.url();
                HttpClientHooks.completed(HttpClientHooks.OKHTTP, url.scheme(), url.host(), url.port(), start,
                        response == null ? -1 : response.code());
            }
        }
    }
}
