package io.jdiag.testapp.http;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bounded load test on loopback: more concurrent requests than the worker pool has threads, at
 * an endpoint that holds its worker. The pool saturates; the finding names the pool, the route
 * holding the workers and where they wait.
 */
class WorkerSaturationIT {
    static final int THREADS = 12;
    static final int CONCURRENT = 40;

    @Test
    void aSaturatedPoolYieldsAFindingNamingTheRouteAndTheWait() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0")
                .serviceArgs("--max-threads", Integer.toString(THREADS))
                .start()) {
            AgentEndpoint agent = AgentEndpoint.of(service);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                load.add(http.sendAsync(HttpRequest.newBuilder(service.baseUri().resolve("/slow/sleep?ms=4000"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            JsonNode saturation = null;
            String metricsDuringLoad = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (saturation == null && System.nanoTime() < deadline) {
                Thread.sleep(500);
                String m = agent.metrics();
                if (sample(m, "jdiag_http_server_workers_queued{server=\"jetty\",pool=\"qtp-service\"}") > 0) {
                    metricsDuringLoad = m;
                }
                // The first check may run while the busy workers have not reached the servlet yet
                // (no route, no stack); the finding fills in on the following checks.
                List<JsonNode> found = findings(agent.report(), f -> f.path("kind").asText().equals("worker_saturation")
                        && f.hasNonNull("route") && f.path("stack").size() > 0);
                saturation = found.isEmpty() ? null : found.get(0);
            }
            assertThat(saturation).as("worker_saturation finding").isNotNull();
            assertThat(saturation.path("detector").asText()).isEqualTo("http");
            assertThat(saturation.path("severity").asText()).isEqualTo("critical");
            assertThat(saturation.path("route").asText()).isEqualTo("GET /slow/*");
            assertThat(saturation.path("summary").asText()).contains("qtp-service", "saturated", "GET /slow/*");
            assertThat(saturation.path("details").path("max").asInt()).isEqualTo(THREADS);
            assertThat(saturation.path("details").path("queued").asInt()).isPositive();
            assertThat(saturation.path("details").path("routesOccupyingWorkers").asText()).contains("GET /slow/*");
            assertThat(AgentEndpoint.stackContains(saturation, "SlowServlet.sleepOnWorker")).as(saturation.toString()).isTrue();
            assertThat(metricsDuringLoad).as("queued gauge seen > 0 during the load").isNotNull();
            assertThat(sample(metricsDuringLoad, "jdiag_http_server_workers_max{server=\"jetty\",pool=\"qtp-service\"}"))
                    .isEqualTo(THREADS);

            for (CompletableFuture<HttpResponse<String>> f : load) {
                assertThat(f.get(90, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            assertThat(sample(agent.metrics(), "jdiag_http_server_requests_seconds_count{server=\"jetty\",method=\"GET\",route=\"/slow/*\",status=\"200\"}"))
                    .isEqualTo(CONCURRENT);
        }
    }
}
