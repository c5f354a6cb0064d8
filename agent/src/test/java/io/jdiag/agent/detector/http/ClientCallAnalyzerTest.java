package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.report.Finding;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.bootstrap.HttpClientHooks;
import io.jdiag.bootstrap.RequestContext;
import io.prometheus.client.Collector.MetricFamilySamples;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import io.jdiag.agent.report.Stacks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbound-call logic with plain values: counting, rate-limited findings, latency series. */
class ClientCallAnalyzerTest {
    /** The library frames the http detector contributes, as the core sets them at start. */
    @BeforeAll
    static void libraryFrames() {
        Stacks.libraryPackages(new HttpDetector().libraryPackages());
    }

    private final ClientHosts hosts = new ClientHosts(50);
    private final ClientMetrics metrics = new ClientMetrics(hosts);
    private final EventPipeline events = new EventPipeline(1024);
    private final FindingsStore store = new FindingsStore(100);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final ClientCallAnalyzer analyzer = new ClientCallAnalyzer(hosts, metrics, events, store::record, clock::get);

    private double sample(String name, Map<String, String> labels) {
        double sum = 0;
        for (MetricFamilySamples family : metrics.collect()) {
            for (MetricFamilySamples.Sample s : family.samples) {
                if (!s.name.equals(name)) {
                    continue;
                }
                boolean all = true;
                for (Map.Entry<String, String> l : labels.entrySet()) {
                    int i = s.labelNames.indexOf(l.getKey());
                    all &= i >= 0 && s.labelValues.get(i).equals(l.getValue());
                }
                if (all) {
                    sum += s.value;
                }
            }
        }
        return sum;
    }

    @Test
    void everyCallWithoutTimeoutsIsCountedButStacksAreRateLimited() {
        for (int i = 0; i < 100; i++) {
            analyzer.okhttpCall("http", "127.0.0.1", 8080, 0, 0, 0, false);
        }
        assertThat(sample("jdiag_http_client_missing_timeout_total", Map.of("client", "okhttp", "timeout", "connect")))
                .isEqualTo(100);
        assertThat(sample("jdiag_http_client_missing_timeout_total", Map.of("client", "okhttp", "timeout", "read")))
                .isEqualTo(100);
        assertThat(sample("jdiag_http_client_missing_timeout_total",
                Map.of("client", "okhttp", "host", "127.0.0.1:8080", "timeout", "request"))).isEqualTo(100);
        assertThat(events.drain(1000)).isEqualTo(ClientHost.CAPTURE_BURST);
        List<Finding.Snapshot> findings = store.snapshot();
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).count).isEqualTo(ClientHost.CAPTURE_BURST);

        clock.addAndGet(ClientHost.CAPTURE_INTERVAL_NANOS);
        analyzer.okhttpCall("http", "127.0.0.1", 8080, 0, 0, 0, false);
        assertThat(events.drain(1000)).isEqualTo(1);
    }

    @Test
    void callsWithTheirTimeoutsLeaveNoTrace() {
        analyzer.okhttpCall("http", "127.0.0.1", 8080, 10_000, 10_000, 0, false);
        analyzer.jdkCall("http", "127.0.0.1", 8080, true, true);
        analyzer.urlConnectionCall("http", "127.0.0.1", 8080, 1000, 1000);
        analyzer.apache4Call("http", "127.0.0.1", 8080, 1000, 1000, 0);
        analyzer.apache5Call("http", "127.0.0.1", 8080, HttpClientHooks.UNSET, HttpClientHooks.UNSET,
                HttpClientHooks.UNSET, HttpClientHooks.UNSET, HttpClientHooks.UNSET, null);
        assertThat(events.drain(1000)).isZero();
        assertThat(sample("jdiag_http_client_missing_timeout_total", Map.of())).isZero();
        assertThat(hosts.size()).isZero();
    }

    @Test
    void findingNamesTheApplicationFrameBelowTheLibraryAndCarriesRouteAndThread() {
        Throwable calledAt = new Throwable();
        calledAt.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.jdiag.agent.detector.http.ClientCallAnalyzer", "decided", "ClientCallAnalyzer.java", 1),
            new StackTraceElement("io.jdiag.bootstrap.HttpClientHooks", "okhttpCall", "HttpClientHooks.java", 2),
            new StackTraceElement("okhttp3.internal.connection.RealCall", "execute", "RealCall.kt", 154),
            new StackTraceElement("retrofit2.OkHttpCall", "execute", "OkHttpCall.java", 204),
            new StackTraceElement("com.example.billing.PaymentsClient", "charge", "PaymentsClient.java", 42),
            new StackTraceElement("com.example.billing.CheckoutServlet", "doPost", "CheckoutServlet.java", 17),
            new StackTraceElement("jakarta.servlet.http.HttpServlet", "service", "HttpServlet.java", 500),
        });
        FindingEvent event = ClientCallAnalyzer.finding(new ClientCallAnalyzer.MissingTimeout(analyzer, ClientKind.OKHTTP,
                "payments:443", ClientTimeoutPolicy.CONNECT | ClientTimeoutPolicy.READ | ClientTimeoutPolicy.REQUEST,
                calledAt, "qtp-7", "POST /checkout", 1234L));
        store.record(event);
        Finding.Snapshot f = store.snapshot().get(0);
        assertThat(f.detector).isEqualTo("http");
        assertThat(f.kind).isEqualTo("missing_timeout");
        assertThat(f.route).isEqualTo("POST /checkout");
        assertThat(f.thread).isEqualTo("qtp-7");
        assertThat(f.stack).first().asString().startsWith("retrofit2.OkHttpCall.execute(");
        assertThat(f.stack.get(1)).isEqualTo("com.example.billing.PaymentsClient.charge(PaymentsClient.java:42)");
        assertThat(f.details).containsEntry("client", "okhttp").containsEntry("host", "payments:443")
                .containsEntry("timeouts", "connect,read,request").containsEntry("canHang", true)
                .containsEntry("site", "com.example.billing.PaymentsClient.charge(PaymentsClient.java:42)");
        assertThat(f.summary).isEqualTo("OkHttp call to payments:443 in PaymentsClient.charge (POST /checkout) made without a connect timeout,"
                + " a read timeout and an overall timeout; it can hang forever");
        assertThat(f.advice).contains("readTimeout").contains("docs/detectors.md#http");
        assertThat(f.firstSeen).isEqualTo(1234L);
    }

    @Test
    void findingsGroupBySiteClientAndMissingSetNotByHost() {
        for (String host : List.of("a", "b", "c")) {
            analyzer.jdkCall("http", host, 80, false, false);
        }
        analyzer.jdkCall("http", "a", 80, true, false); // another missing set: another finding
        events.drain(100);
        List<Finding.Snapshot> findings = store.snapshot();
        assertThat(findings).hasSize(2);
        Map<String, Long> countsByTimeouts = findings.stream()
                .collect(Collectors.toMap(f -> (String) f.details.get("timeouts"), f -> f.count));
        assertThat(countsByTimeouts).containsEntry("connect,request", 3L).containsEntry("request", 1L);
    }

    @Test
    void findingWithoutRouteNamesTheCallingMethod() {
        String previous = RequestContext.enter(null);
        try {
            analyzer.urlConnectionCall("http", "10.0.0.1", 80, -1, 5000);
        } finally {
            RequestContext.exit(previous);
        }
        events.drain(10);
        Finding.Snapshot f = store.snapshot().get(0);
        assertThat(f.route).isNull();
        assertThat(f.details).containsEntry("timeouts", "connect").containsEntry("canHang", false);
        assertThat(f.summary).startsWith("HttpURLConnection call to 10.0.0.1:80 in ").endsWith(" made without a connect timeout");
    }

    @Test
    void routeOfTheCallingThreadIsKept() {
        String previous = RequestContext.enter("GET /orders/*");
        try {
            analyzer.apache4Call("http", "10.0.0.1", 80, -1, -1, 0);
        } finally {
            RequestContext.exit(previous);
        }
        events.drain(10);
        assertThat(store.snapshot().get(0).route).isEqualTo("GET /orders/*");
        assertThat(store.snapshot().get(0).summary).contains(" (GET /orders/*) ");
    }

    @Test
    void latencyIsAHistogramPerClientHostAndStatus() {
        for (int i = 0; i < 7; i++) {
            analyzer.completed(HttpClientHooks.APACHE5, "http", "127.0.0.1", 9000, 3_000_000, 200);
        }
        analyzer.completed(HttpClientHooks.APACHE5, "http", "127.0.0.1", 9000, 2_000_000_000L, 503);
        analyzer.completed(HttpClientHooks.APACHE5, "http", "127.0.0.1", 9000, 1_000, -1);
        analyzer.completed(99, "http", "127.0.0.1", 9000, 1_000, 200); // unknown client: ignored
        Map<String, String> ok = Map.of("client", "apache5", "host", "127.0.0.1:9000", "status", "200");
        assertThat(sample("jdiag_http_client_requests_seconds_count", ok)).isEqualTo(7);
        assertThat(sample("jdiag_http_client_requests_seconds_count", Map.of("status", "503"))).isEqualTo(1);
        assertThat(sample("jdiag_http_client_requests_seconds_count", Map.of("status", "error"))).isEqualTo(1);
        assertThat(sample("jdiag_http_client_requests_seconds_count", Map.of())).isEqualTo(9);
        assertThat(sample("jdiag_http_client_requests_seconds_bucket", Map.of("status", "200", "le", "0.005"))).isEqualTo(7);
        assertThat(sample("jdiag_http_client_requests_seconds_bucket", Map.of("status", "503", "le", "1.0"))).isZero();
        assertThat(sample("jdiag_http_client_requests_seconds_bucket", Map.of("status", "503", "le", "+Inf"))).isEqualTo(1);
        assertThat(metrics.collect()).extracting(m -> m.name)
                .containsExactly("jdiag_http_client_requests_seconds", "jdiag_http_client_missing_timeout");
    }

    @Test
    void jdkAsyncCallsEndWhenTheirFutureCompletes() {
        CompletableFuture<Object> future = new CompletableFuture<>();
        io.jdiag.bootstrap.HttpClientHooks.install(analyzer);
        try {
            // the hook hangs a bootstrap callback on the future (no agent object: a pending call pins nothing)
            io.jdiag.bootstrap.HttpClientHooks.jdkAsync(future, "http", "127.0.0.1", 7000, System.nanoTime());
            assertThat(sample("jdiag_http_client_requests_seconds_count", Map.of("client", "jdk"))).isZero();
            future.completeExceptionally(new java.io.IOException("connection reset"));
        } finally {
            io.jdiag.bootstrap.HttpClientHooks.install(null);
        }
        assertThat(sample("jdiag_http_client_requests_seconds_count", Map.of("client", "jdk", "status", "error")))
                .isEqualTo(1);
    }

    @Test
    void latencySeriesAreBoundedAndFoldIntoOther() {
        ClientHosts many = new ClientHosts(10_000);
        ClientMetrics bounded = new ClientMetrics(many);
        ClientCallAnalyzer a = new ClientCallAnalyzer(many, bounded, events, store::record, clock::get);
        for (int i = 0; i < ClientMetrics.MAX_SERIES + 50; i++) {
            a.completed(HttpClientHooks.OKHTTP, "http", "h" + i, 80, 1_000_000, 200);
        }
        assertThat(bounded.seriesCount()).isLessThanOrEqualTo(ClientMetrics.MAX_SERIES + 1);
        long series = bounded.collect().get(0).samples.stream().filter(s -> s.name.endsWith("_count")).count();
        assertThat(series).isLessThanOrEqualTo(ClientMetrics.MAX_SERIES + 1);
        double total = bounded.collect().get(0).samples.stream().filter(s -> s.name.endsWith("_count"))
                .mapToDouble(s -> s.value).sum();
        assertThat(total).isEqualTo(ClientMetrics.MAX_SERIES + 50);
    }

    @Test
    void hostLabelForLeakDescriptions() {
        assertThat(analyzer.hostLabel("https", "Payments.example", -1)).isEqualTo("payments.example:443");
    }
}
