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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP client responses in the {@code leaks} detector ({@code http_response}), end to end: responses
 * dropped without {@code close()} are reported after the collector found them, with the leaking method
 * in the stack; responses closed, read to the end or consumed by a response handler never are. All in
 * one service JVM, so a false positive of a correct variant would show here.
 */
class ClientResponseLeaksIT {
    static final int N = 3;
    /**
     * The leaking variants call their own downstream: a JDK {@code HttpURLConnection} reuses keep-alive
     * connections, and a leaked response on a reused connection leaks a socket that another (correct)
     * method opened, which the socket tracking of {@code leaks} would rightly report at that method.
     */
    private static SlowDownstream leakingDownstream;
    private static SlowDownstream downstream;
    private static ServiceProcess service;
    private static AgentEndpoint agent;
    private static JsonNode report;
    private static String metrics;

    static final List<String> LEAKING = List.of("urlConnectionResponseWithoutClose", "apache4ResponseWithoutClose",
            "apache5ResponseWithoutClose", "okhttpResponseWithoutClose");

    @BeforeAll
    static void driveTraffic() throws Exception {
        downstream = SlowDownstream.start();
        leakingDownstream = SlowDownstream.start();
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0,leaks.sample.rate=1").start();
        agent = AgentEndpoint.of(service);
        for (int i = 0; i < N; i++) {
            for (String path : List.of("urlconnection/close", "urlconnection/read-to-end", "apache4/close", "apache4/handler",
                    "apache5/close", "apache5/handler", "okhttp/close", "okhttp/close-body")) {
                call("/clients/" + path + "?port=" + downstream.port());
            }
            for (String path : List.of("urlconnection/leak", "apache4/leak", "apache5/leak", "okhttp/leak")) {
                call("/clients/" + path + "?port=" + leakingDownstream.port());
            }
        }
        report = agent.awaitReport(service, r -> LEAKING.stream().allMatch(m -> leaked(r, m) >= N));
        metrics = agent.metrics();
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
        for (SlowDownstream d : new SlowDownstream[] {downstream, leakingDownstream}) {
            if (d != null) {
                d.close();
            }
        }
    }

    private static List<JsonNode> responseLeaks(JsonNode report, String method) {
        return findings(report, f -> f.path("kind").asText().equals("unclosed_resource")
                && f.path("resource").path("type").asText().equals("http_response")
                && stackContains(f, "io.jdiag.testapp.ClientsServlet." + method + "("));
    }

    private static long leaked(JsonNode report, String method) {
        return responseLeaks(report, method).stream().mapToLong(f -> f.path("count").asLong()).sum();
    }

    @ParameterizedTest
    @ValueSource(strings = {"urlConnectionResponseWithoutClose", "apache4ResponseWithoutClose",
        "apache5ResponseWithoutClose", "okhttpResponseWithoutClose"})
    void aResponseDroppedWithoutCloseIsALeakNamingTheMethod(String method) {
        List<JsonNode> found = responseLeaks(report, method);
        assertThat(found).as(method).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.path("detector").asText()).isEqualTo("leaks");
        assertThat(f.path("count").asLong()).isEqualTo(N);
        assertThat(f.path("route").asText()).isEqualTo("GET /clients/*");
        assertThat(f.path("thread").asText()).startsWith("qtp-service");
        assertThat(f.path("summary").asText()).contains(" (GET /clients/*) was never closed");
    }

    @Test
    void descriptionsNameTheDownstreamWhereTheResponseKnowsIt() {
        for (String method : List.of("urlConnectionResponseWithoutClose", "okhttpResponseWithoutClose")) {
            assertThat(responseLeaks(report, method).get(0).path("resource").path("description").asText())
                    .as(method).isEqualTo(leakingDownstream.hostLabel());
        }
    }

    /**
     * Needs {@code Stacks.site} to skip HTTP client library frames (see the client report): today the
     * site of an Apache or OkHttp response leak is the library frame that opened it, so two leaking
     * methods using one library would be merged into one finding.
     */
    @Test
    void theSiteIsTheApplicationMethodNotTheLibrary() {
        for (String method : LEAKING) {
            assertThat(responseLeaks(report, method).get(0).path("details").path("site").asText())
                    .as(method).startsWith("io.jdiag.testapp.ClientsServlet." + method + "(");
        }
    }

    @Test
    void closedReadToTheEndOrHandledResponsesAreNeverLeaks() {
        for (String method : List.of("urlConnectionResponseClosed", "urlConnectionResponseReadToEnd", "apache4ResponseClosed",
                "apache4ResponseHandler", "apache5ResponseClosed", "apache5ResponseHandler", "okhttpResponseClosed",
                "okhttpResponseBodyClosed")) {
            assertThat(findings(report, f -> stackContains(f, "ClientsServlet." + method + "("))).as(method).isEmpty();
        }
        // Nothing but the four leaking sites is an http_response leak.
        assertThat(findings(report, f -> f.path("resource").path("type").asText().equals("http_response"))).hasSize(4);
        // Every client here has its timeouts.
        assertThat(findings(report, f -> f.path("kind").asText().equals("missing_timeout"))).isEmpty();
    }

    @Test
    void metricsCountHttpResponses() {
        assertThat(MetricSamples.sum(metrics, "jdiag_resources_leaked_total", Map.of("type", "http_response")))
                .isEqualTo(4.0 * N);
        // every variant, leaking or not, holds a connection when execute/getInputStream returns: 12 sites, N times
        assertThat(MetricSamples.sum(metrics, "jdiag_resources_opened_total", Map.of("type", "http_response")))
                .isEqualTo(12.0 * N);
        assertThat(MetricSamples.sum(metrics, "jdiag_resources_open", Map.of("type", "http_response"))).isZero();
    }
}
