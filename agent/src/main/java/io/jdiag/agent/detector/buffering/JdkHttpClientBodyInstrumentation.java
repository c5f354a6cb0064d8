package io.jdiag.agent.detector.buffering;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BufferingHooks;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code java.net.http.HttpClient.send} ({@code jdk.internal.net.http.HttpClientImpl}): a response whose
 * body arrives as a {@code byte[]} or {@code String} ({@code BodyHandlers.ofByteArray}, {@code ofString})
 * was read whole. Seen where {@code send} returns, on the application's thread, so the finding names
 * the caller and its route; the client assembles the body on its own threads, where neither is known.
 */
public final class JdkHttpClientBodyInstrumentation implements TypeInstrumentation {
    static final String TYPE = "jdk.internal.net.http.HttpClientImpl";
    static final String API = "java.net.http.HttpClient.send";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("send").and(isPublic()).and(takesArguments(2)),
                JdkHttpClientBodyInstrumentation.class.getName() + "$SendAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class SendAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Return HttpResponse<?> response) {
            if (response != null) {
                BufferingHooks.whole(BufferingHooks.HTTP_CLIENT_RESPONSE, API, response, response.body());
            }
        }
    }
}
