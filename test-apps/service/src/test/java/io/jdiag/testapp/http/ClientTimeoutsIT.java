package io.jdiag.testapp.http;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.MetricSamples;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import io.jdiag.testapp.harness.SlowDownstream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Outbound HTTP calls of the five client libraries, end to end: the service calls a slow loopback
 * downstream served by this test, without timeouts, and a second downstream with timeouts, so each
 * variant has its own {@code host} label. Calls without timeouts must be counted by missing timeout and
 * reported once per calling site with the site's stack and route; calls with timeouts must leave no
 * trace but their latency.
 */
class ClientTimeoutsIT {
    static final int N = 3;
    /** Slow only here: the calls without timeouts wait for a downstream that takes its time, and still complete. */
    static final int DELAY_MS = 100;
    private static SlowDownstream withoutTimeouts;
    private static SlowDownstream withTimeouts;
    private static ServiceProcess service;
    private static AgentEndpoint agent;
    private static JsonNode report;
    private static String metrics;

    /** Endpoint, calling method the findings must name, client label, timeouts it lacks. */
    record Variant(String path, String method, String client, Set<String> missing) {
    }

    static final List<Variant> WITHOUT_TIMEOUTS = List.of(
            new Variant("/clients/jdk/no-timeouts", "jdkClientWithoutTimeouts", "jdk", Set.of("connect", "request")),
            new Variant("/clients/jdk/async-no-timeouts", "jdkAsyncClientWithoutTimeouts", "jdk", Set.of("connect", "request")),
            new Variant("/clients/urlconnection/no-timeouts", "urlConnectionWithoutTimeouts", "urlconnection",
                    Set.of("connect", "read", "request")),
            new Variant("/clients/apache4/no-timeouts", "apache4ClientWithoutTimeouts", "apache4",
                    Set.of("connect", "read", "request")),
            new Variant("/clients/apache5/no-timeouts", "apache5ClientWithoutTimeouts", "apache5",
                    Set.of("connect", "read", "request")),
            new Variant("/clients/okhttp/no-timeouts", "okhttpClientWithoutTimeouts", "okhttp", Set.of("connect", "read", "request")),
            new Variant("/clients/okhttp/async-no-timeouts", "okhttpAsyncClientWithoutTimeouts", "okhttp",
                    Set.of("connect", "read", "request")));

    static final List<String> WITH_TIMEOUTS = List.of("/clients/jdk/timeouts", "/clients/urlconnection/timeouts",
            "/clients/apache4/timeouts", "/clients/apache5/timeouts", "/clients/okhttp/timeouts");

    @BeforeAll
    static void driveTraffic() throws Exception {
        withoutTimeouts = SlowDownstream.start();
        withTimeouts = SlowDownstream.start();
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
        for (int i = 0; i < N; i++) {
            for (Variant v : WITHOUT_TIMEOUTS) {
                call(v.path() + "?delay=" + DELAY_MS + "&port=" + withoutTimeouts.port());
            }
            for (String path : WITH_TIMEOUTS) {
                call(path + "?port=" + withTimeouts.port());
            }
        }
        report = agent.awaitReport(service, r -> WITHOUT_TIMEOUTS.stream().allMatch(v -> !siteFindings(r, v.method()).isEmpty()));
        // Async calls end when their future completes, which may be just after the service answered.
        metrics = awaitMetrics(m -> count(m, Map.of("client", "jdk", "host", withoutTimeouts.hostLabel())) >= 2 * N
                && count(m, Map.of("client", "okhttp", "host", withoutTimeouts.hostLabel())) >= 2 * N);
    }

    private static void call(String pathAndQuery) {
        ServiceProcess.Response r = service.get(pathAndQuery);
        assertThat(r.status()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("downstream 200");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        for (SlowDownstream d : new SlowDownstream[] {withoutTimeouts, withTimeouts}) {
            if (d != null) {
                d.close();
            }
        }
    }

    private static List<JsonNode> siteFindings(JsonNode report, String method) {
        return findings(report, f -> f.path("kind").asText().equals("missing_timeout")
                && stackContains(f, "io.jdiag.testapp.ClientsServlet." + method + "("));
    }

    private static double count(String metrics, Map<String, String> labels) {
        return MetricSamples.sum(metrics, "jdiag_http_client_requests_seconds_count", labels);
    }

    private static String awaitMetrics(java.util.function.Predicate<String> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = agent.metrics();
        while (!done.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            last = agent.metrics();
        }
        return last;
    }

    @Test
    void everyCallWithoutTimeoutsIsCountedByTheTimeoutItLacks() {
        for (String client : List.of("jdk", "urlconnection", "apache4", "apache5", "okhttp")) {
            for (String timeout : List.of("connect", "read", "request")) {
                long calls = WITHOUT_TIMEOUTS.stream().filter(v -> v.client().equals(client) && v.missing().contains(timeout)).count();
                double counted = MetricSamples.sum(metrics, "jdiag_http_client_missing_timeout_total",
                        Map.of("client", client, "host", withoutTimeouts.hostLabel(), "timeout", timeout));
                assertThat(counted).as(client + " " + timeout).isEqualTo(calls * N);
            }
        }
    }

    @Test
    void callsWithTimeoutsAreNeitherCountedNorReported() {
        assertThat(MetricSamples.present(metrics, "jdiag_http_client_missing_timeout_total",
                Map.of("host", withTimeouts.hostLabel()))).isFalse();
        assertThat(findings(report, f -> f.path("stack").toString().contains("WithTimeouts("))).isEmpty();
        assertThat(findings(report, f -> f.path("details").path("host").asText().equals(withTimeouts.hostLabel()))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "jdkClientWithoutTimeouts, jdk, 'connect,request', java.net.http.HttpClient",
        "jdkAsyncClientWithoutTimeouts, jdk, 'connect,request', java.net.http.HttpClient",
        "urlConnectionWithoutTimeouts, urlconnection, 'connect,read,request', HttpURLConnection",
        "apache4ClientWithoutTimeouts, apache4, 'connect,read,request', Apache HttpClient 4",
        "apache5ClientWithoutTimeouts, apache5, 'connect,read,request', Apache HttpClient 5",
        "okhttpClientWithoutTimeouts, okhttp, 'connect,read,request', OkHttp",
        "okhttpAsyncClientWithoutTimeouts, okhttp, 'connect,read,request', OkHttp",
    })
    void eachCallingSiteIsOneFindingWithItsStackRouteAndThread(String method, String client, String timeouts, String api) {
        List<JsonNode> found = siteFindings(report, method);
        assertThat(found).as(method).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.path("detector").asText()).isEqualTo("http");
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("count").asLong()).isBetween(1L, (long) N);
        assertThat(f.path("route").asText()).isEqualTo("GET /clients/*");
        assertThat(f.path("thread").asText()).startsWith("qtp-service");
        assertThat(f.path("details").path("client").asText()).isEqualTo(client);
        assertThat(f.path("details").path("timeouts").asText()).isEqualTo(timeouts);
        assertThat(f.path("details").path("host").asText()).isEqualTo(withoutTimeouts.hostLabel());
        assertThat(f.path("details").path("canHang").asBoolean()).isTrue();
        assertThat(f.path("details").path("site").asText()).startsWith("io.jdiag.testapp.ClientsServlet." + method + "(");
        assertThat(f.path("summary").asText()).startsWith(api + " call to " + withoutTimeouts.hostLabel() + " in ClientsServlet." + method + " (GET /clients/*)")
                .contains("; it can hang forever");
        // The stack starts at the library method the application called, then the application's frame.
        assertThat(f.path("stack").get(1).asText()).startsWith("io.jdiag.testapp.ClientsServlet." + method + "(");
        assertThat(f.path("advice").asText()).contains("docs/detectors.md#http");
    }

    @Test
    void latencyIsRecordedForEveryCallByClientHostAndStatus() throws Exception {
        AgentEndpoint.assertPrometheusText(metrics);
        for (String client : List.of("jdk", "urlconnection", "apache4", "apache5", "okhttp")) {
            long withoutCalls = WITHOUT_TIMEOUTS.stream().filter(v -> v.client().equals(client)).count() * N;
            assertThat(count(metrics, Map.of("client", client, "host", withoutTimeouts.hostLabel(), "status", "200")))
                    .as(client + " without timeouts").isEqualTo(withoutCalls);
            assertThat(count(metrics, Map.of("client", client, "host", withTimeouts.hostLabel(), "status", "200")))
                    .as(client + " with timeouts").isEqualTo(N);
            assertThat(MetricSamples.sum(metrics, "jdiag_http_client_requests_seconds_bucket",
                    Map.of("client", client, "host", withTimeouts.hostLabel(), "le", "+Inf"))).isEqualTo(N);
        }
        // The slow downstream's calls took at least its delay: none of them in the buckets below it.
        assertThat(MetricSamples.sum(metrics, "jdiag_http_client_requests_seconds_bucket",
                Map.of("host", withoutTimeouts.hostLabel(), "le", "0.05"))).isZero();
        assertThat(MetricSamples.sum(metrics, "jdiag_findings_total", Map.of("detector", "http", "kind", "missing_timeout")))
                .isGreaterThanOrEqualTo(WITHOUT_TIMEOUTS.size());
        assertThat(MetricSamples.sum(metrics, "jdiag_agent_instrumentation_errors_total", Map.of())).isZero();
        assertThat(service.stderr()).doesNotContain("jdiag: could not instrument");
    }
}
