package io.jdiag.testapp.blocking;

import static io.jdiag.testapp.blocking.LoopClient.awaitFinding;
import static io.jdiag.testapp.blocking.LoopClient.sum;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.cli.Jdiag;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.PostgresServer;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hot attach through {@code bin/jdiag} to a service whose Netty loops have run for a while: the loops
 * are inside their run loop long before the agent arrives, and are found from their next round of
 * tasks. Then blocking calls and stalls are reported, and a detach leaves the service unharmed.
 */
class BlockingAttachIT {
    @Test
    void loopsRunningBeforeTheAttachAreFoundAndWatched() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder()
                .serviceArgs("--netty-port", "0", "--jdbc-url", PostgresServer.shared().jdbcUrl()).start()) {
            LoopClient loop = LoopClient.netty(service);
            loop.concurrently("/ok", 20);
            loop.get("/sleep?ms=50"); // before the attach: nobody sees it

            String pid = Long.toString(service.pid());
            Jdiag.Result attach = Jdiag.run(Map.of(), List.of(), "attach", pid, "http.port=0");
            assertThat(attach.exitCode()).as(attach.toString()).isZero();
            AgentEndpoint agent = AgentEndpoint.of(service);

            loop.concurrently("/ok", 20); // every loop runs a round of tasks: registered
            loop.get("/sleep?ms=300");
            loop.get("/cpu?ms=400");
            loop.get("/cpu?ms=400");
            loop.get("/jdbc?ms=200");

            JsonNode sleep = awaitFinding(agent, "blocking_call", f -> stackContains(f, "BlockingRoutes.sleepOnLoop"));
            assertThat(sleep.path("route").asText()).isEqualTo("GET /sleep");
            assertThat(sleep.path("count").asLong()).as("the sleep before the attach was not seen").isEqualTo(1);
            JsonNode jdbc = awaitFinding(agent, "blocking_call", f -> stackContains(f, "BlockingRoutes.queryOnLoop"));
            assertThat(jdbc.path("details").path("call").asText()).isEqualTo("java.sql.Statement.executeQuery");
            JsonNode stall = awaitFinding(agent, "event_loop_stall", f -> stackContains(f, "BlockingRoutes.burnCpuOnLoop"));
            assertThat(stall.path("route").asText()).isEqualTo("GET /cpu");
            assertThat(agent.report().path("agent").path("mode").asText()).isEqualTo("attach");
            assertThat(sum(agent.metrics(), "jdiag_event_loop_lag_seconds_count", "")).isPositive();

            Jdiag.Result detach = Jdiag.run(Map.of(), List.of(), "detach", pid);
            assertThat(detach.exitCode()).as(detach.toString()).isZero();
            assertThat(loop.get("/sleep?ms=20")).startsWith("slept 20 ms");
            assertThat(loop.concurrently("/ok", 10)).allMatch("ok"::equals);
            assertThat(service.stderr()).doesNotContain("Exception");
        }
    }
}
