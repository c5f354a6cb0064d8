package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code java.net.http.HttpClient}: its implementation {@code jdk.internal.net.http.HttpClientImpl}
 * (behind the facade every {@code HttpClient.newHttpClient()} returns). {@code send} and the public
 * three-argument {@code sendAsync} (the two-argument one delegates to it; {@code send} goes through a
 * private one), so each call is seen once.
 */
public final class JdkHttpClientInstrumentation implements TypeInstrumentation {
    static final String TYPE = "jdk.internal.net.http.HttpClientImpl";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = JdkHttpClientInstrumentation.class.getName();
        advice.apply(named("send").and(isPublic()).and(takesArguments(2)), self + "$SendAdvice");
        advice.apply(named("sendAsync").and(isPublic()).and(takesArguments(3)), self + "$SendAsyncAdvice");
    }

    /** In {@code java.net.http}, loaded by the platform class loader, on every supported JDK. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class SendAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter(@Advice.FieldValue("connectTimeout") Duration connectTimeout,
                                 @Advice.Argument(0) HttpRequest request) {
            URI uri = request.uri();
            return HttpClientHooks.jdkCall(uri.getScheme(), uri.getHost(), uri.getPort(),
                    connectTimeout != null, request.timeout().isPresent());
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long start, @Advice.Argument(0) HttpRequest request,
                                @Advice.Return HttpResponse<?> response) {
            URI uri = request.uri();
            HttpClientHooks.completed(HttpClientHooks.JDK, uri.getScheme(), uri.getHost(), uri.getPort(), start,
                    response == null ? -1 : response.statusCode());
        }
    }

    public static class SendAsyncAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter(@Advice.FieldValue("connectTimeout") Duration connectTimeout,
                                 @Advice.Argument(0) HttpRequest request) {
            URI uri = request.uri();
            return HttpClientHooks.jdkCall(uri.getScheme(), uri.getHost(), uri.getPort(),
                    connectTimeout != null, request.timeout().isPresent());
        }

        /** The call ends when the future completes; a call that failed to start ends now, as an error. */
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long start, @Advice.Argument(0) HttpRequest request,
                                @Advice.Return Object future) {
            URI uri = request.uri();
            if (future != null) {
                HttpClientHooks.jdkAsync(future, uri.getScheme(), uri.getHost(), uri.getPort(), start);
            } else {
                HttpClientHooks.completed(HttpClientHooks.JDK, uri.getScheme(), uri.getHost(), uri.getPort(), start, -1);
            }
        }
    }
}
