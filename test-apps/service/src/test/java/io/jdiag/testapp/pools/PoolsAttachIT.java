package io.jdiag.testapp.pools;

import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.cli.Jdiag;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.MetricSamples;
import io.jdiag.testapp.harness.PostgresServer;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hot attach: a HikariCP pool created and used before {@code jdiag attach} (its classes loaded, its
 * connections open) is found on its next use and its exhaustion reported like any other.
 */
class PoolsAttachIT {
    @Test
    void aPoolCreatedBeforeTheAttachIsFoundAndItsExhaustionReported() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder()
                .serviceArgs("--jdbc-url", PostgresServer.shared().jdbcUrl(), "--max-threads", "100")
                .start()) {
            // the pool is created and used without the agent
            Load.concurrently(service, "/pools/hikari/slow?ms=10", 5);

            Jdiag.Result attach = Jdiag.run(Map.of(), List.of(), "attach", Long.toString(service.pid()), "http.port=0");
            assertThat(attach.exitCode()).as(attach.toString()).isZero();
            AgentEndpoint agent = AgentEndpoint.of(service);

            Load.concurrently(service, "/pools/hikari/slow?ms=500", 30);
            JsonNode f = Load.awaitFinding(agent, Load.exhausted("hikari-small"));
            assertThat(f.path("details").path("max").asInt()).isEqualTo(5);
            assertThat(f.path("details").path("peakDemand").asInt()).isBetween(15, 30);
            assertThat(stackContains(f, "io.jdiag.testapp.PoolsServlet.slowQuery(")).as(f.toString()).isTrue();
            assertThat(agent.report().path("agent").path("mode").asText()).isEqualTo("attach");
            assertThat(MetricSamples.sum(agent.metrics(), "jdiag_pool_acquire_seconds_count",
                    Map.of("pool", "hikari-small", "kind", "jdbc"))).isEqualTo(30);
        }
    }
}
