package io.jdiag.testapp.tomcat;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The http detector on embedded Tomcat 9 and the {@code javax.servlet} API (Servlet 4), end to end:
 * request metrics by servlet mapping (prefix and exact), async requests timed to their completion,
 * route attribution of a {@code leaks} finding, and the Tomcat executor's gauges.
 */
class TomcatHttpIT {
    static final int N = 10;
    static final String SERVER = "server=\"tomcat\",method=\"GET\"";
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
            assertThat(service.get("/files/read").status()).isEqualTo(200);
            assertThat(service.get("/files/nope").status()).isEqualTo(404);
            assertThat(service.get("/health").status()).isEqualTo(200);
            ServiceProcess.Response order = service.get("/orders/" + (12300 + i));
            assertThat(order.status()).isEqualTo(200);
            assertThat(order.body()).isEqualTo("order " + (12300 + i));
        }
        for (int i = 0; i < 3; i++) {
            ServiceProcess.Response async = service.get("/slow/async?ms=300");
            assertThat(async.status()).isEqualTo(202);
            assertThat(async.body()).isEqualTo("completed after 300 ms");
        }
        report = agent.awaitReport(service, r -> findings(r, f -> stackContains(f, "readWithoutClose")).stream()
                .mapToLong(f -> f.path("count").asLong()).sum() >= N);
        metrics = agent.metrics();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void leakFindingCarriesTheServletMappingAsRoute() {
        List<JsonNode> leaks = findings(report, f -> stackContains(f, "FilesServlet.readWithoutClose"));
        assertThat(leaks).as("one grouped finding for one leaking site").hasSize(1);
        JsonNode leak = leaks.get(0);
        assertThat(leak.path("detector").asText()).isEqualTo("leaks");
        assertThat(leak.path("kind").asText()).isEqualTo("unclosed_resource");
        assertThat(leak.path("count").asLong()).isGreaterThanOrEqualTo(N);
        assertThat(leak.path("route").asText()).isEqualTo("GET /files/*");
        assertThat(leak.path("summary").asText()).startsWith("FileInputStream opened in FilesServlet.readWithoutClose (GET /files/*) was never closed");
        assertThat(leak.path("resource").path("type").asText()).isEqualTo("file");
        assertThat(leak.path("resource").path("description").asText()).endsWith(FilesServlet.FILE);
        assertThat(leak.path("stack").get(0).asText()).startsWith("java.io.FileInputStream.<init>");
        assertThat(leak.path("stack").get(1).asText())
                .startsWith("io.jdiag.testapp.tomcat.FilesServlet.readWithoutClose(FilesServlet.java:");
        assertThat(leak.path("thread").asText()).startsWith(TomcatServiceMain.THREAD_NAME_PREFIX);
    }

    @Test
    void closingVariantAndTomcatItselfYieldNoFinding() {
        assertThat(findings(report, f -> f.path("stack").toString().contains("readAndClose"))).isEmpty();
        // the one leaking site is the only finding: nothing Tomcat, the JDK or the async timer did
        assertThat(report.path("findings")).hasSize(1);
        assertThat(service.stderr()).doesNotContain("jdiag: could not instrument");
    }

    @Test
    void requestsAreTimedByServletMappingAndStatus() throws Exception {
        AgentEndpoint.assertPrometheusText(metrics);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{" + SERVER + ",route=\"/files/*\",status=\"200\"}"))
                .isEqualTo(2.0 * N);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_bucket{" + SERVER + ",route=\"/files/*\",status=\"200\",le=\"+Inf\"}"))
                .isEqualTo(2.0 * N);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{" + SERVER + ",route=\"/files/*\",status=\"404\"}"))
                .isEqualTo(N);
        // an exact mapping is its own route
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{" + SERVER + ",route=\"/health\",status=\"200\"}"))
                .isEqualTo(N);
        assertThat(sample(metrics, "jdiag_http_server_requests_active{server=\"tomcat\"}")).isGreaterThanOrEqualTo(0);
        assertThat(sample(metrics, "jdiag_agent_instrumentation_errors_total")).isEqualTo(0);
    }

    @Test
    void pathsWithIdsAreCountedUnderTheirPrefixMapping() {
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{" + SERVER + ",route=\"/orders/*\",status=\"200\"}"))
                .isEqualTo(N);
        assertThat(metrics).doesNotContain("/orders/123");
        List<String> routes = metrics.lines().filter(l -> l.startsWith("jdiag_http_server_requests_seconds_count"))
                .map(l -> l.replaceAll(".*route=\"([^\"]*)\".*", "$1")).toList();
        assertThat(routes).isNotEmpty().allMatch(r -> !r.matches(".*[0-9]{3,}.*"))
                .containsOnly("/files/*", "/health", "/orders/*", "/slow/*");
    }

    @Test
    void asyncRequestsAreTimedToTheirCompletion() {
        String series = "{" + SERVER + ",route=\"/slow/*\",status=\"202\"}";
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count" + series)).isEqualTo(3);
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_sum" + series)).isGreaterThanOrEqualTo(0.85);
        // the 300 ms requests are not in the 0.1 s bucket: the end was the completion, not the servlet's return
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_bucket{" + SERVER
                + ",route=\"/slow/*\",status=\"202\",le=\"0.1\"}")).isZero();
        // and the servlet's return with the async request still open was not counted under any status
        assertThat(metrics.lines().filter(l -> l.startsWith("jdiag_http_server_requests_seconds_count{" + SERVER + ",route=\"/slow/*\"")))
                .hasSize(1);
    }

    @Test
    void tomcatExecutorIsWatched() {
        Map<String, Double> max = TomcatMetrics.workers(metrics, "max");
        assertThat(max).as("one Tomcat worker pool: the connector executor").hasSize(1);
        assertThat(max.values()).containsExactly((double) TomcatServiceMain.MAX_THREADS);
        String pool = max.keySet().iterator().next();
        assertThat(TomcatMetrics.workers(metrics, "busy")).containsKey(pool);
        assertThat(TomcatMetrics.workers(metrics, "queued")).containsEntry(pool, 0.0);
    }

    @Test
    void tomcatExecutorIsLabelledByAStableName() {
        // Tomcat's ThreadPoolExecutor has no name of its own; its threads' prefix (TaskThreadFactory) is the
        // stable name a dashboard can use, the same after every restart.
        assertThat(TomcatMetrics.workers(metrics, "max")).containsOnlyKeys(TomcatServiceMain.EXECUTOR_NAME);
    }

    @Test
    void normalTrafficIsNoSaturation() {
        assertThat(findings(report, f -> f.path("detector").asText().equals("http"))).isEmpty();
    }
}
