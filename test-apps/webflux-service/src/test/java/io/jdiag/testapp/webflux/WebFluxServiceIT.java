package io.jdiag.testapp.webflux;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent on a Spring WebFlux application on Reactor Netty ({@code java -jar}, {@code -javaagent}):
 * healthy traffic and a GC yield no finding; requests are counted under the matched handler's
 * pattern with {@code server="netty"}; findings raised on the event loop carry the template route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebFluxServiceIT {
    static final int N = 10;
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

    @Test
    @Order(1)
    void healthyTrafficIsCountedUnderItsTemplatesAndYieldsNoFinding() throws Exception {
        for (int i = 0; i < N; i++) {
            expect("/reactive/health", 200);
            expect("/reactive/orders/" + (4200 + i), 200);
            expect("/reactive/files/f" + i, 200);
            expect("/fn/greetings/g" + i, 200);
            expect("/reactive/clients/c" + i, 200);
            expect("/no/such/page/" + i, 404);
        }
        for (int i = 0; i < 3; i++) {
            service.gc();
            Thread.sleep(700);
        }
        JsonNode report = agent.report();
        assertThat(report.path("findings")).as("findings of a healthy WebFlux application:\n%s", report).isEmpty();

        String metrics = agent.metrics();
        AgentEndpoint.assertPrometheusText(metrics);
        assertCount(metrics, "/reactive/orders/{id}", 200, N);
        assertCount(metrics, "/reactive/files/{name}", 200, N);
        assertCount(metrics, "/fn/greetings/{name}", 200, N); // a nested functional route: its whole pattern
        assertCount(metrics, "/reactive/clients/{name}", 200, N);
        assertCount(metrics, "/reactive/health", 200, N);
        assertCount(metrics, "/**", 404, N);
        assertThat(metrics).doesNotContain("/reactive/orders/42").doesNotContain("route=\"/reactive/orders/*\"");
        assertThat(sample(metrics, "jdiag_agent_instrumentation_errors_total")).isZero();
    }

    @Test
    @Order(2)
    void findingsOnTheEventLoopCarryTheTemplateRoute() throws Exception {
        for (int i = 0; i < 5; i++) {
            expect("/reactive/files/f" + i + "/leak", 200);
            expect("/reactive/clients/c" + i + "/no-timeout", 200);
        }
        JsonNode report = agent.awaitReport(service, r -> count(r, "leaks", "reactiveReadWithoutClose") >= 5
                && count(r, "http", "reactiveCallWithoutTimeouts") >= 5);
        JsonNode leak = only(report, "leaks", "ReactiveController.reactiveReadWithoutClose");
        assertThat(leak.path("route").asText()).isEqualTo("GET /reactive/files/{name}/leak");
        assertThat(leak.path("thread").asText()).startsWith("reactor-http-");
        assertThat(leak.path("origin").asText()).isEqualTo("application");
        // the same read is a blocking call on Reactor Netty's event loop, under the same template
        JsonNode blocking = only(report, "blocking", "ReactiveController.reactiveReadWithoutClose");
        assertThat(blocking.path("kind").asText()).isEqualTo("blocking_call");
        assertThat(blocking.path("route").asText()).isEqualTo("GET /reactive/files/{name}/leak");
        assertThat(blocking.path("thread").asText()).startsWith("reactor-http-");
        JsonNode noTimeout = only(report, "http", "ReactiveController.reactiveCallWithoutTimeouts");
        assertThat(noTimeout.path("kind").asText()).isEqualTo("missing_timeout");
        assertThat(noTimeout.path("route").asText()).isEqualTo("GET /reactive/clients/{name}/no-timeout");
        assertThat(report.path("findings")).hasSize(3);
        assertCount(agent.metrics(), "/reactive/files/{name}/leak", 200, 5);
    }

    /**
     * One request on a connection of its own ({@code Connection: close}). Not the harness's keep-alive
     * client: with this Reactor Netty, a request on a reused connection from the JDK client now and
     * then gets no answer (seen without the agent too), and the test would wait for it.
     */
    private void expect(String path, int status) throws IOException {
        HttpURLConnection c = (HttpURLConnection) service.baseUri().resolve(path).toURL().openConnection();
        c.setRequestProperty("Connection", "close");
        c.setConnectTimeout(5_000);
        c.setReadTimeout(30_000);
        try {
            assertThat(c.getResponseCode()).as(path).isEqualTo(status);
            try (InputStream body = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
        } finally {
            c.disconnect();
        }
    }

    private static void assertCount(String metrics, String route, int status, double expected) {
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"netty\",method=\"GET\",route=\""
                + route + "\",status=\"" + status + "\"}")).as(route + " " + status).isEqualTo(expected);
    }

    private static long count(JsonNode report, String detector, String method) {
        return findings(report, f -> f.path("detector").asText().equals(detector) && stackContains(f, method)).stream().mapToLong(f -> f.path("count").asLong()).sum();
    }

    private static JsonNode only(JsonNode report, String detector, String method) {
        List<JsonNode> found = findings(report, f -> f.path("detector").asText().equals(detector) && stackContains(f, method));
        assertThat(found).as("one grouped " + detector + " finding for " + method).hasSize(1);
        return found.get(0);
    }
}
