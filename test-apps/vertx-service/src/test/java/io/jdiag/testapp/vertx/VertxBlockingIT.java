package io.jdiag.testapp.vertx;

import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Vert.x core handlers on Vert.x event loops: the blocking detector finds the loops through Netty
 * (Vert.x runs on Netty's I/O loops, whatever its own server code), stays silent for work offloaded with
 * {@code executeBlocking}, and names the sleep and the CPU-bound handler. One service for the class;
 * the healthy scenarios first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VertxBlockingIT {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private ServiceProcess service;
    private AgentEndpoint agent;

    @BeforeAll
    void start() throws Exception {
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private List<String> concurrently(String path, int n) {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(http.sendAsync(HttpRequest.newBuilder(service.baseUri().resolve(path.substring(1)))
                    .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : pending) {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            bodies.add(r.body());
        }
        return bodies;
    }

    private List<JsonNode> blockingFindings() {
        return AgentEndpoint.findings(agent.report(), f -> "blocking".equals(f.path("detector").asText()));
    }

    private JsonNode awaitFinding(String kind, String frame) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<JsonNode> last = List.of();
        while (System.nanoTime() < deadline) {
            last = blockingFindings();
            for (JsonNode f : last) {
                if (kind.equals(f.path("kind").asText()) && stackContains(f, frame)) {
                    return f;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no blocking/" + kind + " finding naming " + frame + " in 30 s; last:\n" + last);
    }

    @Test
    @Order(1)
    void executeBlockingKeepsTheLoopFreeAndSilent() throws Exception {
        concurrently("/ok", 20);
        concurrently("/offload?ms=10", 8);
        long start = System.nanoTime();
        List<String> bodies = concurrently("/offload?ms=1000", 50);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(bodies).allMatch(b -> b.contains("off the loop on vert.x-worker-thread-"));
        assertThat(took).isBetween(Duration.ofMillis(1000), Duration.ofSeconds(6));
        Thread.sleep(500);
        assertThat(blockingFindings()).isEmpty();
        String metrics = agent.metrics();
        assertThat(metrics).contains("jdiag_event_loop_threads{loop=\"vert.x-eventloop-thread\"")
                .doesNotContain("jdiag_event_loop_blocking_calls_total{")
                .doesNotContain("loop=\"vert.x-worker-thread\"");
    }

    @Test
    @Order(2)
    void sleepOnAVertxEventLoopIsABlockingCall() throws Exception {
        concurrently("/sleep?ms=300", 1);
        JsonNode f = awaitFinding("blocking_call", "VertxServiceMain.sleepOnEventLoop");
        assertThat(f.path("details").path("call").asText()).isEqualTo("java.lang.Thread.sleep");
        assertThat(f.path("details").path("loop").asText()).isEqualTo("vert.x-eventloop-thread");
        assertThat(f.path("thread").asText()).startsWith("vert.x-eventloop-thread-");
        assertThat(f.path("route").asText()).isEqualTo("GET /sleep");
    }

    @Test
    @Order(3)
    void cpuWorkOnAVertxEventLoopIsAStall() throws Exception {
        concurrently("/cpu?ms=400", 1);
        concurrently("/cpu?ms=400", 1);
        JsonNode f = awaitFinding("event_loop_stall", "VertxServiceMain.burnCpuOnEventLoop");
        assertThat(f.path("route").asText()).isEqualTo("GET /cpu");
        assertThat(AgentEndpoint.sample(agent.metrics(), "jdiag_event_loop_stalls_total{loop=\"vert.x-eventloop-thread\"}"))
                .isGreaterThanOrEqualTo(2);
    }
}
