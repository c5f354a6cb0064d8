package io.jdiag.testapp.blocking;

import static io.jdiag.testapp.blocking.LoopClient.awaitFinding;
import static io.jdiag.testapp.blocking.LoopClient.blocking;
import static io.jdiag.testapp.blocking.LoopClient.sum;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.PostgresServer;
import io.jdiag.testapp.harness.ServiceProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The test service's Netty port with the agent from start-up and a real PostgreSQL: the same waits
 * done correctly off the event loop (silent) and wrongly on it (each named, with the handler and the
 * route). One service for the whole class; the healthy scenarios run first, on a clean report.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventLoopBlockingIT {
    private ServiceProcess service;
    private AgentEndpoint agent;
    private LoopClient loop;

    @BeforeAll
    void start() throws Exception {
        service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0")
                .serviceArgs("--netty-port", "0", "--jdbc-url", PostgresServer.shared().jdbcUrl())
                .start();
        agent = AgentEndpoint.of(service);
        loop = LoopClient.netty(service);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void fiftyWaitsOffTheLoopFinishInAboutASecondAndAreNoFinding() throws Exception {
        loop.concurrently("/offload?ms=10", 8); // the first requests load classes; not what is measured
        long start = System.nanoTime();
        List<String> bodies = loop.concurrently("/offload?ms=1000", 50);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(bodies).allMatch(b -> b.contains("off the loop on offload-worker-"));
        // Blocking the loop instead would take 50 / 2 loops = 25 s; a loaded machine adds a little.
        assertThat(took).isBetween(Duration.ofMillis(1000), Duration.ofSeconds(6));

        Thread.sleep(500); // anything the agent saw has reached the report
        JsonNode report = agent.report();
        assertThat(blocking(report, "blocking_call")).as(report.toString()).isEmpty();
        assertThat(AgentEndpoint.findings(report, f -> "GET /offload".equals(f.path("route").asText()))).isEmpty();
        assertThat(sum(agent.metrics(), "jdiag_event_loop_blocking_calls_total", "")).isZero();
    }

    @Test
    @Order(2)
    void healthyRequestsAreNoFinding() throws Exception {
        for (int round = 0; round < 5; round++) {
            assertThat(loop.concurrently("/ok", 40)).allMatch("ok"::equals);
        }
        Thread.sleep(500);
        JsonNode report = agent.report();
        assertThat(AgentEndpoint.findings(report, f -> "GET /ok".equals(f.path("route").asText()))).as(report.toString()).isEmpty();
        assertThat(blocking(report, "blocking_call")).isEmpty();
        String metrics = agent.metrics();
        assertThat(sum(metrics, "jdiag_event_loop_threads", "")).as("the boss and two worker loops").isEqualTo(3);
        assertThat(metrics).contains("loop=\"multiThreadIoEventLoopGroup-");
    }

    /**
     * A loop that hands work to a {@code java.util.concurrent} queue waits for the queue's lock while
     * another thread holds it; on a busy host the holder is descheduled for milliseconds. That is no
     * blocking of the loop's code (the CI once reported a 4 ms {@code ThreadPoolExecutor.execute}).
     */
    @Test
    @Order(2)
    void waitingForAJdkQueuesLockIsNoFinding() throws Exception {
        for (int i = 0; i < 3; i++) {
            String body = loop.get("/handoff?ms=30");
            long waited = Long.parseLong(body.replaceAll("\\D+", " ").trim().split(" ")[0]);
            assertThat(waited).as(body + ": the loop really waited for the lock").isGreaterThanOrEqualTo(10);
        }
        Thread.sleep(500);
        JsonNode report = agent.report();
        assertThat(blocking(report, "blocking_call")).as(report.toString()).isEmpty();
        assertThat(AgentEndpoint.findings(report, f -> "GET /handoff".equals(f.path("route").asText()))).isEmpty();
        assertThat(sum(agent.metrics(), "jdiag_event_loop_blocking_calls_total", "")).isZero();
    }

    @Test
    @Order(3)
    void sleepOnTheLoopIsABlockingCallNamingTheHandlerAndRoute() throws Exception {
        loop.get("/sleep?ms=300");
        loop.get("/sleep?ms=300");
        JsonNode f = awaitFinding(agent, "blocking_call",
                x -> stackContains(x, "BlockingRoutes.sleepOnLoop") && x.path("count").asLong() >= 2);
        assertThat(f.path("details").path("call").asText()).isEqualTo("java.lang.Thread.sleep");
        assertThat(f.path("route").asText()).isEqualTo("GET /sleep");
        assertThat(f.path("thread").asText()).startsWith("multiThreadIoEventLoopGroup-");
        assertThat(f.path("stack").get(0).asText()).startsWith("java.lang.Thread.sleep(");
        // JDK 17: Thread.sleep(long) is native, so the watchdog's sample names it; JDK 21+: the advice
        assertThat(f.path("details").path("seenBy").asText()).isIn("advice", "watchdog");
        assertThat(f.path("summary").asText()).contains("Thread.sleep blocked event loop multiThreadIoEventLoopGroup-");

        String metrics = agent.metrics();
        AgentEndpoint.assertPrometheusText(metrics);
        assertThat(sum(metrics, "jdiag_event_loop_blocking_calls_total", "call=\"java.lang.Thread.sleep\"")).isGreaterThanOrEqualTo(2);
        assertThat(sum(metrics, "jdiag_event_loop_blocked_seconds_count", "")).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(4)
    void aJdbcQueryOnTheLoopIsABlockingCallNamingTheHandlerAndRoute() throws Exception {
        assertThat(loop.get("/jdbc?ms=200")).contains("postgresql");
        JsonNode f = awaitFinding(agent, "blocking_call", x -> stackContains(x, "BlockingRoutes.queryOnLoop"));
        assertThat(f.path("details").path("call").asText()).isEqualTo("java.sql.Statement.executeQuery");
        assertThat(f.path("route").asText()).isEqualTo("GET /jdbc");
        assertThat(f.path("details").path("blockedMillis").asDouble()).isGreaterThanOrEqualTo(190);
        assertThat(f.path("stack").get(0).asText()).startsWith("org.postgresql.");
        assertThat(sum(agent.metrics(), "jdiag_event_loop_blocking_calls_total", "call=\"java.sql.Statement.executeQuery\""))
                .as("one call: the socket reads inside the query are part of it").isEqualTo(1);
    }

    /** A wait for a JDK queue's lock as long as a stall froze the loop like one: it is reported. */
    @Test
    @Order(4)
    void aLockHandOffLongerThanAStallIsABlockingCall() throws Exception {
        loop.get("/handoff?ms=250");
        JsonNode f = awaitFinding(agent, "blocking_call", x -> stackContains(x, "BlockingRoutes.handOffWhileLocked"));
        assertThat(f.path("details").path("call").asText()).isEqualTo("java.util.concurrent.locks.LockSupport.park");
        assertThat(f.path("route").asText()).isEqualTo("GET /handoff");
        assertThat(f.path("details").path("blockedMillis").asDouble()).isGreaterThanOrEqualTo(100);
        assertThat(f.path("stack").toString()).contains("java.util.concurrent.LinkedBlockingQueue.offer(");
    }

    @Test
    @Order(5)
    void cpuWorkOnTheLoopIsAStallSampledWhileStuck() throws Exception {
        loop.get("/cpu?ms=400");
        loop.get("/cpu?ms=400");
        JsonNode f = awaitFinding(agent, "event_loop_stall", x -> stackContains(x, "BlockingRoutes.burnCpuOnLoop"));
        assertThat(f.path("route").asText()).isEqualTo("GET /cpu");
        assertThat(f.path("details").path("stuckMillis").asLong()).isGreaterThanOrEqualTo(100);
        assertThat(f.path("summary").asText()).contains("stuck in one task for");
        assertThat(sum(agent.metrics(), "jdiag_event_loop_stalls_total", "")).isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(6)
    void lagOfTheBlockedLoopIsVisibleInTheHistogram() throws Exception {
        loop.get("/cpu?ms=500");
        Thread.sleep(300);
        String metrics = agent.metrics();
        double count = sum(metrics, "jdiag_event_loop_lag_seconds_count", "");
        double within100ms = sum(metrics, "jdiag_event_loop_lag_seconds_bucket", "le=\"0.1\"");
        assertThat(count).as("probes ran on every loop").isGreaterThan(10);
        assertThat(count - within100ms).as("a probe waited behind the busy handler for more than 100 ms").isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(7)
    void nothingElseWasReported() {
        JsonNode report = agent.report();
        for (JsonNode f : report.path("findings")) {
            if ("blocking".equals(f.path("detector").asText()) && "application".equals(f.path("origin").asText())) {
                assertThat(f.path("route").asText()).as(f.toString()).isIn("GET /sleep", "GET /jdbc", "GET /cpu", "GET /handoff");
            }
        }
    }
}
