package io.jdiag.testapp.pools;

import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.MetricSamples;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.PostgresServer;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDBC pools against a real PostgreSQL, in one service JVM: the classic exhaustion (a pool of 5,
 * 50 concurrent requests holding a connection for {@code select pg_sleep(0.5)}) on HikariCP, the same
 * on Commons DBCP2 and Tomcat JDBC with 20 requests, the same 50 requests on a pool of 60 (nothing to
 * report), a plain data source timed, and a connection never returned.
 */
class JdbcPoolsIT {
    static final int CONCURRENT = 50;
    private static ServiceProcess service;
    private static AgentEndpoint agent;

    @BeforeAll
    static void start() throws Exception {
        service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0,pools.leak.threshold=2s")
                .serviceArgs("--jdbc-url", PostgresServer.shared().jdbcUrl(), "--max-threads", "150")
                .start();
        agent = AgentEndpoint.of(service);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aPoolOfFiveUnderFiftyConcurrentSlowQueriesIsExhaustedWithTheNumbersToFixIt() throws Exception {
        Load.concurrently(service, "/pools/hikari/slow?ms=500", CONCURRENT);
        JsonNode f = Load.awaitFinding(agent, Load.exhausted("hikari-small"));

        assertThat(f.path("detector").asText()).isEqualTo("pools");
        assertThat(f.path("severity").asText()).isEqualTo("critical");
        assertThat(f.path("route").asText()).isEqualTo("GET /pools/*");
        JsonNode d = f.path("details");
        assertThat(d.path("kind").asText()).isEqualTo("jdbc");
        assertThat(d.path("library").asText()).isEqualTo("hikari");
        assertThat(d.path("max").asInt()).isEqualTo(5);
        // 50 requests arrive within a moment: the agent thread's readings see most of them waiting
        assertThat(d.path("peakDemand").asInt()).isBetween(30, CONCURRENT);
        assertThat(d.path("peakActive").asInt()).isEqualTo(5);
        // 45 of them waited 0.5 to 4.5 s for one of 5 connections, each held 0.5 s
        assertThat(d.path("exhaustedAcquires").asLong()).isGreaterThanOrEqualTo(40);
        assertThat(d.path("acquireP99Seconds").asDouble()).isBetween(2.5, 15.0);
        assertThat(d.path("meanHeldSeconds").asDouble()).isBetween(0.45, 1.5);
        assertThat(d.path("topHolders").asText()).startsWith("GET /pools/* x");
        assertThat(d.path("suggestedMax").asInt()).isGreaterThanOrEqualTo(d.path("peakDemand").asInt());
        assertThat(f.path("summary").asText())
                .startsWith("pool hikari-small (jdbc) exhausted: max 5, peak demand " + d.path("peakDemand").asInt() + " (")
                .contains("acquires/s × ", " from acquire to release); acquire p99 ", "; top holder PoolsServlet.slowQuery (GET /pools/*) held p50 ")
                .contains("; raise max to ≥ " + d.path("suggestedMax").asInt() + " or shorten the hold");
        // the longest holder's stack, taken while threads waited: in the query, under the method that holds it
        assertThat(stackContains(f, "io.jdiag.testapp.PoolsServlet.slowQuery(")).as(f.toString()).isTrue();
        assertThat(f.path("details").path("longestHolders").asText()).contains("PoolsServlet.slowQuery");

        String metrics = agent.metrics();
        Map<String, String> pool = Map.of("pool", "hikari-small", "kind", "jdbc");
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_max_connections", pool)).isEqualTo(5);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_exhausted_total", pool)).isGreaterThanOrEqualTo(40);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_acquire_seconds_count", pool)).isGreaterThanOrEqualTo(CONCURRENT);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_connection_held_seconds_count", pool)).isGreaterThanOrEqualTo(CONCURRENT);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_acquire_timeouts_total", pool)).isZero();
        assertThat(MetricSamples.present(metrics, "jdiag_pool_connections", Map.of("pool", "hikari-small", "state", "idle"))).isTrue();
        AgentEndpoint.assertPrometheusText(metrics);
    }

    @Test
    void anAdequatePoolUnderTheSameLoadYieldsNothing() throws Exception {
        Load.concurrently(service, "/pools/hikari/slow?ms=500&pool=big", CONCURRENT);
        Thread.sleep(2_000); // two shortage-end delays: a finding would be out by now
        assertThat(Load.poolFindings(agent.report(), "hikari-big")).isEmpty();
        Map<String, String> pool = Map.of("pool", "hikari-big", "kind", "jdbc");
        String metrics = agent.metrics();
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_max_connections", pool)).isEqualTo(60);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_acquire_seconds_count", pool)).isGreaterThanOrEqualTo(CONCURRENT);
    }

    @Test
    void dbcp2AndTomcatPoolsOfFiveAreExhaustedToo() throws Exception {
        for (String library : new String[] {"dbcp2", "tomcat"}) {
            Load.concurrently(service, "/pools/" + library + "/slow?ms=500", 20);
        }
        JsonNode dbcp2 = Load.awaitFinding(agent, f -> f.path("kind").asText().equals("pool_exhausted")
                && f.path("details").path("library").asText().equals("dbcp2"));
        JsonNode tomcat = Load.awaitFinding(agent, Load.exhausted("tomcat-small"));
        for (JsonNode f : new JsonNode[] {dbcp2, tomcat}) {
            assertThat(f.path("details").path("max").asInt()).as(f.toString()).isEqualTo(5);
            assertThat(f.path("details").path("peakDemand").asInt()).as(f.toString()).isBetween(10, 20);
            assertThat(f.path("details").path("exhaustedAcquires").asLong()).as(f.toString()).isGreaterThanOrEqualTo(10);
            assertThat(f.path("route").asText()).isEqualTo("GET /pools/*");
            assertThat(stackContains(f, "io.jdiag.testapp.PoolsServlet.slowQuery(")).as(f.toString()).isTrue();
        }
        String dbcp2Name = dbcp2.path("details").path("pool").asText();
        assertThat(dbcp2Name).startsWith("dbcp2-");
        String metrics = agent.metrics();
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_max_connections", Map.of("pool", dbcp2Name, "kind", "jdbc"))).isEqualTo(5);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_max_connections", Map.of("pool", "tomcat-small", "kind", "jdbc"))).isEqualTo(5);
        assertThat(MetricSamples.sum(metrics, "jdiag_pool_connection_held_seconds_count", Map.of("pool", "tomcat-small")))
                .isGreaterThanOrEqualTo(20);
    }

    @Test
    void aPlainDataSourceIsTimedThroughGetConnection() {
        for (int i = 0; i < 3; i++) {
            Load.get(service, "/pools/datasource/slow?ms=10");
        }
        String metrics = agent.metrics();
        assertThat(metrics).containsPattern("jdiag_pool_acquire_seconds_count\\{pool=\"PGSimpleDataSource-[0-9a-f]+\",kind=\"jdbc\",} [3-9]");
        assertThat(metrics).doesNotContain("jdiag_pool_max_connections{pool=\"PGSimpleDataSource");
    }

    /**
     * A connection borrowed and dropped: held past {@code pools.leak.threshold} (2 s here), then, as its
     * pool is watched from the first leak on, the next ones are reported with the stack that borrowed them.
     */
    @Test
    void aConnectionNeverReturnedIsALeakNamingTheMethodThatBorrowedIt() throws Exception {
        Load.get(service, "/pools/hikari/leak");
        JsonNode first = Load.awaitFinding(agent, Load.leakOf("hikari-leaky"));
        assertThat(first.path("summary").asText())
                .startsWith("connection of pool hikari-leaky borrowed in GET /pools/* held for ")
                .contains("without being returned");
        for (int i = 0; i < 3; i++) {
            Load.get(service, "/pools/hikari/leak");
        }
        JsonNode leak = agent.awaitReport(service, r -> AgentEndpoint.findings(r, Load.leakOf("hikari-leaky")).stream()
                .anyMatch(f -> f.path("count").asLong() >= 4 && f.path("stack").size() > 0)).path("findings");
        JsonNode f = null;
        for (JsonNode candidate : leak) {
            if (Load.leakOf("hikari-leaky").test(candidate)) {
                f = candidate;
            }
        }
        assertThat(f).isNotNull();
        assertThat(f.path("route").asText()).isEqualTo("GET /pools/*");
        assertThat(f.path("details").path("site").asText()).startsWith("io.jdiag.testapp.PoolsServlet.borrowWithoutClose(");
        assertThat(stackContains(f, "io.jdiag.testapp.PoolsServlet.borrowWithoutClose(")).isTrue();
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(MetricSamples.sum(agent.metrics(), "jdiag_pool_leak_suspected_total", Map.of("pool", "hikari-leaky")))
                .isGreaterThanOrEqualTo(4);
        // the correct endpoints of the same pools leak nothing
        assertThat(AgentEndpoint.findings(agent.report(), x -> x.path("kind").asText().equals("connection_leak")
                && !x.path("details").path("pool").asText().equals("hikari-leaky"))).isEmpty();
    }
}
