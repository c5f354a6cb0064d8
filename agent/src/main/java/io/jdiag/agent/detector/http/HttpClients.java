package io.jdiag.agent.detector.http;

import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import java.util.Arrays;
import java.util.List;

/**
 * The outbound half of the http detector: the HTTP client instrumentations, their metrics
 * ({@code jdiag_http_client_*}) and the {@code missing_timeout} findings. Leaked client responses are
 * the {@code leaks} detector's ({@code http_response}).
 */
final class HttpClients {
    private ClientCallAnalyzer analyzer;

    List<TypeInstrumentation> instrumentations() {
        return Arrays.asList(new JdkHttpClientInstrumentation(), new UrlConnectionClientInstrumentation(),
                new Apache4ClientInstrumentation(), new Apache5ClientInstrumentation(), new OkHttpClientInstrumentation());
    }

    void start(DetectorContext context) {
        ClientHosts hosts = new ClientHosts(ClientHosts.DEFAULT_MAX_HOSTS);
        ClientMetrics metrics = new ClientMetrics(hosts).registerIn(context.registry());
        analyzer = new ClientCallAnalyzer(hosts, metrics, context.events(), context.findings()::record, System::nanoTime);
        HttpClientHooks.install(analyzer);
    }

    /**
     * Runs every hook path once on a throw-away analyzer, so the classes they need are loaded now and
     * not inside the application's first HTTP call (and nothing shows in the real metrics).
     */
    static void warmUp() {
        ClientHosts hosts = new ClientHosts(1);
        EventPipeline events = new EventPipeline(4);
        ClientCallAnalyzer a = new ClientCallAnalyzer(hosts, new ClientMetrics(hosts), events, f -> { }, System::nanoTime);
        a.jdkCall("http", "warmup", 1, false, false);
        a.urlConnectionCall("http", "warmup", 1, 0, 0);
        a.apache4Call("http", "warmup", 1, 0, 0, 0);
        a.apache5Call("http", "warmup", 1, 0, 0, 0, 0, 0, null);
        a.okhttpCall("http", "warmup", 1, 0, 0, 0, false);
        a.completed(HttpClientHooks.OKHTTP, "http", "warmup", 1, 1_000, 200);
        a.hostLabel("https", "warmup", -1);
        events.drain(16);
    }

    void stop() {
        HttpClientHooks.install(null);
    }
}
