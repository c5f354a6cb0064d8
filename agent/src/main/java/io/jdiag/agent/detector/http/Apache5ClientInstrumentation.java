package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.Configurable;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.Timeout;

/**
 * Apache HttpClient 5 (classic): {@code InternalHttpClient.doExecute}, which every {@code execute}
 * overload of a client from {@code HttpClients}/{@code HttpClientBuilder} ends in.
 *
 * <p>The advice reads the effective request config (the request's, else the context's, else the client
 * default) and, for a {@code BasicHttpClientConnectionManager}, its connection and socket configs; a
 * pooling manager keeps its configs private, and the agent reads them itself
 * ({@link ClientApache5Configs}). The async client ({@code CloseableHttpAsyncClient}) is not covered.
 */
public final class Apache5ClientInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.hc.client5.http.impl.classic.InternalHttpClient";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("doExecute").and(takesArguments(3)), Apache5ClientInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    /** Library types: checked by the installer when the application has them loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) ClassicHttpRequest request,
                                 @Advice.Argument(2) HttpContext context,
                                 @Advice.FieldValue("defaultConfig") RequestConfig defaultConfig,
                                 @Advice.FieldValue("connManager") HttpClientConnectionManager manager) {
            RequestConfig config = request instanceof Configurable ? ((Configurable) request).getConfig() : null;
            // Before 5.4 an unset context config reads as RequestConfig.DEFAULT: that is "unset" here too.
            if (config == null && context instanceof HttpClientContext
                    && ((HttpClientContext) context).getRequestConfig() != RequestConfig.DEFAULT) {
                config = ((HttpClientContext) context).getRequestConfig();
            }
            if (config == null) {
                config = defaultConfig != null ? defaultConfig : RequestConfig.DEFAULT;
            }
            @SuppressWarnings("deprecation")
            Timeout connect = config.getConnectTimeout();
            Timeout response = config.getResponseTimeout();
            ConnectionConfig connection = null;
            SocketConfig socket = null;
            if (manager instanceof BasicHttpClientConnectionManager) {
                connection = ((BasicHttpClientConnectionManager) manager).getConnectionConfig();
                socket = ((BasicHttpClientConnectionManager) manager).getSocketConfig();
            }
            Timeout connectionConnect = connection == null ? null : connection.getConnectTimeout();
            Timeout connectionSocket = connection == null ? null : connection.getSocketTimeout();
            Timeout so = socket == null ? null : socket.getSoTimeout();
            HttpHost host = target != null ? target : new HttpHost(request.getScheme(), request.getAuthority());
            return HttpClientHooks.apache5Call(host.getSchemeName(), host.getHostName(), host.getPort(),
                    connect == null ? HttpClientHooks.UNSET : connect.toMilliseconds(),
                    response == null ? HttpClientHooks.UNSET : response.toMilliseconds(),
                    connectionConnect == null ? HttpClientHooks.UNSET : connectionConnect.toMilliseconds(),
                    connectionSocket == null ? HttpClientHooks.UNSET : connectionSocket.toMilliseconds(),
                    so == null ? HttpClientHooks.UNSET : so.toMilliseconds(),
                    socket == null ? manager : null);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long start, @Advice.Argument(0) HttpHost target,
                                @Advice.Argument(1) ClassicHttpRequest request,
                                @Advice.Return CloseableHttpResponse response) {
            if (start != 0) {
                HttpHost host = target != null ? target : new HttpHost(request.getScheme(), request.getAuthority());
                HttpClientHooks.completed(HttpClientHooks.APACHE5, host.getSchemeName(), host.getHostName(), host.getPort(),
                        start, response == null ? -1 : response.getCode());
            }
        }
    }
}
