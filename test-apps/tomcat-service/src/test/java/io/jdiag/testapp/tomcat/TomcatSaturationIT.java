package io.jdiag.testapp.tomcat;

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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bounded load test on loopback against Tomcat's connector executor: more concurrent requests
 * than it has threads, at an endpoint that holds its worker. Tomcat queues the rest in its
 * {@code TaskQueue}; the agent must see the pool saturated and name the route holding the workers
 * and where they wait.
 */
class TomcatSaturationIT {
    static final int THREADS = 8;
    static final int CONCURRENT = 30;
    static final int SLEEP_MS = 4000;
    private static ServiceProcess service;
    private static JsonNode saturation;
    private static String metricsDuringLoad;
    private static String metricsAfterLoad;
    private static final List<Integer> statuses = new ArrayList<>();

    @BeforeAll
    static void saturate() throws Exception {
        service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0")
                .serviceArgs("--max-threads", Integer.toString(THREADS))
                .start();
        AgentEndpoint agent = AgentEndpoint.of(service);
        // HTTP/1.1: one connection per concurrent request (no h2c upgrade attempt)
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            load.add(http.sendAsync(HttpRequest.newBuilder(service.baseUri().resolve("/slow/sleep?ms=" + SLEEP_MS))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        // Until the agent's once-a-second check has seen the pool saturated twice: Tomcat counts a worker
        // busy from the moment it takes a connection, so the very first check may run before the workers
        // reached the servlet (cold JVM), when no route is in flight yet. The 4 s requests keep the pool
        // saturated for about 12 s, so a second check always comes.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((saturation == null || saturation.path("count").asLong() < 2 || metricsDuringLoad == null)
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
            String m = agent.metrics();
            if (metricsDuringLoad == null && saturatedIn(m)) {
                metricsDuringLoad = m;
            }
            List<JsonNode> found = findings(agent.report(), f -> f.path("kind").asText().equals("worker_saturation"));
            saturation = found.isEmpty() ? null : found.get(0);
        }
        for (CompletableFuture<HttpResponse<String>> f : load) {
            statuses.add(f.get(90, TimeUnit.SECONDS).statusCode());
        }
        metricsAfterLoad = agent.metrics();
    }

    /**
     * A scrape showing a Tomcat pool with every worker busy and requests queued. (Tomcat's TaskQueue also
     * holds a task for an instant while an idle thread picks it up, so "queued" alone is not saturation.)
     */
    private static boolean saturatedIn(String metrics) {
        Map<String, Double> busy = TomcatMetrics.workers(metrics, "busy");
        Map<String, Double> max = TomcatMetrics.workers(metrics, "max");
        return TomcatMetrics.workers(metrics, "queued").entrySet().stream().anyMatch(q -> q.getValue() > 0
                && busy.getOrDefault(q.getKey(), 0.0) >= max.getOrDefault(q.getKey(), Double.MAX_VALUE));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aSaturatedExecutorYieldsACriticalFinding() {
        assertThat(saturation).as("worker_saturation finding").isNotNull();
        assertThat(saturation.path("detector").asText()).isEqualTo("http");
        assertThat(saturation.path("severity").asText()).isEqualTo("critical");
        assertThat(saturation.path("summary").asText()).contains("tomcat worker pool", "saturated");
        assertThat(saturation.path("details").path("max").asInt()).isEqualTo(THREADS);
        assertThat(saturation.path("details").path("busy").asInt()).isGreaterThanOrEqualTo(THREADS - 2);
        assertThat(saturation.path("details").path("queued").asInt()).isPositive();
    }

    @Test
    void theFindingNamesTheRouteHoldingTheWorkersAndWhereTheyWait() {
        assertThat(saturation).as("worker_saturation finding").isNotNull();
        assertThat(saturation.path("route").asText()).as(saturation.toString()).isEqualTo("GET /slow/*");
        assertThat(saturation.path("summary").asText()).contains("GET /slow/*");
        assertThat(saturation.path("details").path("routesOccupyingWorkers").asText()).contains("GET /slow/*");
        assertThat(saturation.path("thread").asText()).startsWith(TomcatServiceMain.THREAD_NAME_PREFIX);
        assertThat(saturation.path("details").path("pool").asText()).isEqualTo(TomcatServiceMain.EXECUTOR_NAME);
        assertThat(AgentEndpoint.stackContains(saturation, "SlowServlet.sleepOnWorker")).as(saturation.toString()).isTrue();
    }

    @Test
    void executorGaugesShowTheQueue() {
        assertThat(metricsDuringLoad).as("a scrape during the load with busy == max and queued > 0").isNotNull();
        assertThat(saturation).as("worker_saturation finding").isNotNull();
        Map<String, Double> max = TomcatMetrics.workers(metricsDuringLoad, "max");
        assertThat(max).hasSize(1);
        String pool = max.keySet().iterator().next();
        assertThat(max.get(pool)).isEqualTo(THREADS);
        assertThat(TomcatMetrics.workers(metricsDuringLoad, "busy")).containsEntry(pool, (double) THREADS);
        assertThat(TomcatMetrics.workers(metricsDuringLoad, "queued").get(pool)).isPositive();
        assertThat(saturation.path("details").path("pool").asText()).isEqualTo(pool);
    }

    @Test
    void everyQueuedRequestIsServedAndCounted() {
        assertThat(statuses).hasSize(CONCURRENT).containsOnly(200);
        assertThat(sample(metricsAfterLoad, "jdiag_http_server_requests_seconds_count{server=\"tomcat\",method=\"GET\",route=\"/slow/*\",status=\"200\"}"))
                .isEqualTo(CONCURRENT);
        assertThat(TomcatMetrics.workers(metricsAfterLoad, "queued").values()).containsOnly(0.0);
    }
}
