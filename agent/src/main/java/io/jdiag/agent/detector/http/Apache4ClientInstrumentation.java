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
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.Configurable;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.HttpClientConnectionManager;
import org.apache.http.impl.conn.BasicHttpClientConnectionManager;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.protocol.HttpContext;

/**
 * Apache HttpClient 4: {@code InternalHttpClient.doExecute}, which every {@code execute} overload of a
 * client from {@code HttpClients}/{@code HttpClientBuilder} ends in (the {@code ResponseHandler} ones too).
 *
 * <p>The advice reads the request config the way {@code doExecute} resolves it (the request's own, else
 * the context's, else the client default: a request-level config replaces the default entirely) and the
 * socket timeout new connections get from the connection manager's {@code SocketConfig}. Legacy
 * {@code HttpParams} on the request (deprecated since 4.3) are not read.
 */
public final class Apache4ClientInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.http.impl.client.InternalHttpClient";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("doExecute").and(takesArguments(3)), Apache4ClientInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    /** Library types: checked by the installer when the application has them loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) HttpRequest request,
                                 @Advice.Argument(2) HttpContext context,
                                 @Advice.FieldValue("defaultConfig") RequestConfig defaultConfig,
                                 @Advice.FieldValue("connManager") HttpClientConnectionManager manager) {
            RequestConfig config = request instanceof Configurable ? ((Configurable) request).getConfig() : null;
            if (config == null && context != null && context.getAttribute(HttpClientContext.REQUEST_CONFIG) instanceof RequestConfig) {
                config = (RequestConfig) context.getAttribute(HttpClientContext.REQUEST_CONFIG);
            }
            if (config == null) {
                config = defaultConfig != null ? defaultConfig : RequestConfig.DEFAULT;
            }
            SocketConfig socket = null;
            if (manager instanceof PoolingHttpClientConnectionManager) {
                socket = target == null ? null : ((PoolingHttpClientConnectionManager) manager).getSocketConfig(target);
                socket = socket != null ? socket : ((PoolingHttpClientConnectionManager) manager).getDefaultSocketConfig();
                socket = socket != null ? socket : SocketConfig.DEFAULT;
            } else if (manager instanceof BasicHttpClientConnectionManager) {
                socket = ((BasicHttpClientConnectionManager) manager).getSocketConfig();
            }
            return HttpClientHooks.apache4Call(target == null ? null : target.getSchemeName(),
                    target == null ? null : target.getHostName(), target == null ? -1 : target.getPort(),
                    config.getConnectTimeout(), config.getSocketTimeout(), socket == null ? -1 : socket.getSoTimeout());
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter long start, @Advice.Argument(0) HttpHost target,
                                @Advice.Return CloseableHttpResponse response) {
            HttpClientHooks.completed(HttpClientHooks.APACHE4, target == null ? null : target.getSchemeName(),
                    target == null ? null : target.getHostName(), target == null ? -1 : target.getPort(), start,
                    response == null ? -1 : response.getStatusLine().getStatusCode());
        }
    }
}
