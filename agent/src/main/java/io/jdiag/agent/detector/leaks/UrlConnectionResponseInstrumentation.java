package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import io.jdiag.bootstrap.LeaksHooks;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code http_response} for {@code HttpURLConnection}: the response body stream holds the connection's
 * {@code sun.net.www.http.HttpClient} (its socket) until the stream is closed, read to the end, or the
 * connection disconnected; all of these end in that client's {@code finished()} (back to the keep-alive
 * cache) or {@code closeServer()} ({@link UrlConnectionKeepAliveInstrumentation}). So that client is the
 * tracked resource, opened when {@code getInputStream} first returns a body stream. A response without
 * a body (HEAD, 204, 304, {@code Content-Length: 0}) has already given its client back by then
 * ({@code http} is null) and is not tracked; neither are error responses (their body is the error stream).
 */
public final class UrlConnectionResponseInstrumentation implements TypeInstrumentation {
    static final String TYPE = "sun.net.www.protocol.http.HttpURLConnection";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("getInputStream0").and(takesArguments(0)),
                UrlConnectionResponseInstrumentation.class.getName() + "$GetInputStreamAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class GetInputStreamAdvice {
        /** Only the call that sends the request opens a response; later calls return the same stream. */
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static boolean enter(@Advice.FieldValue("inputStream") InputStream stream,
                                    @Advice.FieldValue("rememberedException") Exception failed) {
            return stream == null && failed == null;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter boolean first, @Advice.Thrown Throwable thrown,
                                @Advice.FieldValue("http") Object connection, @Advice.FieldValue("url") URL url) {
            if (first && thrown == null && connection != null) {
                LeaksHooks.opened(connection, "http_response",
                        HttpClientHooks.hostLabel(url.getProtocol(), url.getHost(), url.getPort()));
            }
        }
    }
}
