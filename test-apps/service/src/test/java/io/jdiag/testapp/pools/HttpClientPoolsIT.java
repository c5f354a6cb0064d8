package io.jdiag.testapp.pools;

import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.MetricSamples;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import io.jdiag.testapp.harness.SlowDownstream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection pools of Apache HttpClient 4 and 5 ({@code PoolingHttpClientConnectionManager}, at most
 * 2 connections here), exhausted by 10 concurrent calls to a loopback downstream that answers in 500 ms.
 */
class HttpClientPoolsIT {
    static final int CONCURRENT = 10;
    private static SlowDownstream downstream;
    private static ServiceProcess service;
    private static AgentEndpoint agent;

    @BeforeAll
    static void start() throws Exception {
        downstream = SlowDownstream.start();
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
        for (String client : new String[] {"apache4", "apache5"}) {
            Load.concurrently(service, "/pools/" + client + "/slow?delay=500&port=" + downstream.port(), CONCURRENT);
        }
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (downstream != null) {
            downstream.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"apache4", "apache5"})
    void aPoolOfTwoUnderTenConcurrentSlowCallsIsExhausted(String client) throws Exception {
        JsonNode f = Load.awaitFinding(agent, x -> x.path("kind").asText().equals("pool_exhausted")
                && x.path("details").path("library").asText().equals(client));
        String pool = f.path("details").path("pool").asText();
        assertThat(pool).startsWith(client + "-");
        assertThat(f.path("details").path("kind").asText()).isEqualTo("http");
        assertThat(f.path("resource").path("type").asText()).isEqualTo("http_pool");
        assertThat(f.path("details").path("max").asInt()).isEqualTo(2);
        assertThat(f.path("details").path("peakDemand").asInt()).isBetween(5, CONCURRENT);
        assertThat(f.path("details").path("exhaustedAcquires").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(f.path("details").path("meanHeldSeconds").asDouble()).isBetween(0.45, 2.0);
        assertThat(f.path("route").asText()).isEqualTo("GET /pools/*");
        assertThat(f.path("summary").asText()).startsWith("pool " + pool + " (http) exhausted: max 2, peak demand ");
        assertThat(stackContains(f, "io.jdiag.testapp.PoolsServlet." + client + "SlowCall(")).as(f.toString()).isTrue();

        String metrics = agent.metrics();
        Map<String, String> labels = Map.of("pool", pool, "kind", "http");
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_max_connections", labels)).isEqualTo(2);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_acquire_seconds_count", labels)).isEqualTo(CONCURRENT);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_connection_held_seconds_count", labels)).isEqualTo(CONCURRENT);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_exhausted_total", labels)).isGreaterThanOrEqualTo(5);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_connections", Map.of("pool", pool, "state", "active"))).isZero();
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_connections", Map.of("pool", pool, "state", "idle"))).isEqualTo(2);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_leak_suspected_total", labels)).isZero();
    }
}
