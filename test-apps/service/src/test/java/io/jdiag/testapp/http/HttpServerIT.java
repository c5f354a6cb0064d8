package io.jdiag.testapp.http;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Servlet entry points: request metrics by route template, async requests timed to completion,
 * and route attribution of another detector's findings.
 */
class HttpServerIT {
    static final int N = 10;
    private static ServiceProcess service;
    private static AgentEndpoint agent;
    private static JsonNode report;
    private static String metrics;

    @BeforeAll
    static void driveTraffic() throws Exception {
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
        for (int i = 0; i < N; i++) {
            assertThat(service.get("/files/leak").status()).isEqualTo(200);
            assertThat(service.get("/files/read?name=b").status()).isEqualTo(200);
            assertThat(service.get("/health").status()).isEqualTo(200);
            assertThat(service.get("/files/nope").status()).isEqualTo(404);
            assertThat(service.get("/no/such/thing/" + (1000 + i)).status()).isEqualTo(404);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(service.get("/slow/async?ms=300").status()).isEqualTo(202);
        }
        report = agent.awaitReport(service, r -> !findings(r, f -> stackContains(f, "readWithoutClose")).isEmpty()
                && findings(r, f -> stackContains(f, "readWithoutClose")).get(0).path("count").asLong() >= N);
        metrics = agent.metrics();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void findingsOfOtherDetectorsCarryTheRoute() {
        JsonNode leak = findings(report, f -> stackContains(f, "FilesServlet.readWithoutClose")).get(0);
        assertThat(leak.path("route").asText()).isEqualTo("GET /files/*");
        assertThat(leak.path("summary").asText()).startsWith("FileInputStream opened in FilesServlet.readWithoutClose (GET /files/*) was never closed");
    }

    @Test
    void requestsAreTimedByRouteTemplateAndStatus() throws Exception {
        AgentEndpoint.assertPrometheusText(metrics);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"jetty\",method=\"GET\",route=\"/files/*\",status=\"200\"}"))
                .isEqualTo(2.0 * N);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"jetty\",method=\"GET\",route=\"/files/*\",status=\"404\"}"))
                .isEqualTo(N);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"jetty\",method=\"GET\",route=\"/health\",status=\"200\"}"))
                .isGreaterThanOrEqualTo(N);
        // unmatched paths go to the default servlet: its mapping, never the raw path with the id
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"jetty\",method=\"GET\",route=\"/\",status=\"404\"}"))
                .isEqualTo(N);
        assertThat(metrics).doesNotContain("/no/such/thing");
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_bucket{server=\"jetty\",method=\"GET\",route=\"/files/*\",status=\"200\",le=\"+Inf\"}"))
                .isEqualTo(2.0 * N);
        assertThat(sample(metrics, "jdiag_http_server_requests_active{server=\"jetty\"}")).isGreaterThanOrEqualTo(0);
        assertThat(sample(metrics, "jdiag_http_server_workers_max{server=\"jetty\",pool=\"qtp-service\"}")).isEqualTo(50);
    }

    @Test
    void asyncRequestsAreTimedToTheirCompletion() {
        String series = "{server=\"jetty\",method=\"GET\",route=\"/slow/*\",status=\"202\"}";
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count" + series)).isEqualTo(3);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_sum" + series)).isGreaterThanOrEqualTo(0.85);
        // the 300 ms requests are not in the 0.1 s bucket: the end was the completion, not the servlet's return
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_bucket{server=\"jetty\",method=\"GET\",route=\"/slow/*\",status=\"202\",le=\"0.1\"}"))
                .isZero();
    }

    @Test
    void normalTrafficIsNoSaturation() {
        assertThat(findings(report, f -> f.path("kind").asText().equals("worker_saturation"))).isEmpty();
        assertThat(findings(report, f -> f.path("detector").asText().equals("http"))).isEmpty();
    }

    @Test
    void everyRouteLabelIsATemplate() {
        List<String> routes = metrics.lines().filter(l -> l.startsWith("jdiag_http_server_requests_seconds_count"))
                .map(l -> l.replaceAll(".*route=\"([^\"]*)\".*", "$1")).toList();
        assertThat(routes).isNotEmpty().allMatch(r -> !r.matches(".*[0-9]{3,}.*"));
    }
}
