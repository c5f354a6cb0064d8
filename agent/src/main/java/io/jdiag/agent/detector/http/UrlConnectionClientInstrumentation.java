package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code HttpURLConnection} (http and, through its delegate, https): {@code getInputStream0}, behind
 * {@code getInputStream}, {@code getResponseCode} and the header getters. Only the call that sends the
 * request counts: the connection has neither a stream nor a remembered failure yet (later calls, and the
 * nested one {@code getResponseCode} makes inside it, return the cached stream).
 *
 * <p>The connection's own timeout fields are read, not the getters: -1 ("never set") lets the JDK fall
 * back to the {@code sun.net.client.default*Timeout} properties, which the getters hide as 0.
 */
public final class UrlConnectionClientInstrumentation implements TypeInstrumentation {
    static final String TYPE = "sun.net.www.protocol.http.HttpURLConnection";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("getInputStream0").and(takesArguments(0)),
                UrlConnectionClientInstrumentation.class.getName() + "$GetInputStreamAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class GetInputStreamAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter(@Advice.FieldValue("inputStream") InputStream stream,
                                 @Advice.FieldValue("rememberedException") Exception failed,
                                 @Advice.FieldValue("url") URL url,
                                 @Advice.FieldValue("connectTimeout") int connectTimeout,
                                 @Advice.FieldValue("readTimeout") int readTimeout) {
            if (stream != null || failed != null) {
                return 0;
            }
            return HttpClientHooks.urlConnectionCall(url.getProtocol(), url.getHost(), url.getPort(), connectTimeout,
                    readTimeout);
        }

        /** A 4xx/5xx throws but has a status; the status is what the metric shows. */
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long start, @Advice.FieldValue("url") URL url,
                                @Advice.FieldValue("responseCode") int status) {
            if (start != 0) {
                HttpClientHooks.completed(HttpClientHooks.URLCONNECTION, url.getProtocol(), url.getHost(), url.getPort(),
                        start, status);
            }
        }
    }
}
