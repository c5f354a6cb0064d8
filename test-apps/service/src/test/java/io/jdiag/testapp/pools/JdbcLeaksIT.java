package io.jdiag.testapp.pools;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.MetricSamples;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.PostgresServer;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * JDBC objects in the {@code leaks} detector, on a real PostgreSQL: a connection, a statement and a
 * result set dropped without {@code close()} are reported (types {@code jdbc_connection},
 * {@code jdbc_statement}, {@code jdbc_resultset}) with the method that opened them; the ones JDBC
 * closes for the application (by the connection's or the statement's close) and pooled connections
 * given back to their pool never are.
 */
class JdbcLeaksIT {
    static final int N = 3;
    private static ServiceProcess service;
    private static JsonNode report;
    private static String metrics;

    @BeforeAll
    static void driveTraffic() throws Exception {
        service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0")
                .serviceArgs("--jdbc-url", PostgresServer.shared().jdbcUrl())
                .start();
        AgentEndpoint agent = AgentEndpoint.of(service);
        for (int i = 0; i < N; i++) {
            for (String path : List.of("leak-connection", "leak-statement", "leak-resultset", "close-all",
                    "close-connection-only", "close-statement-only")) {
                Load.get(service, "/jdbc/" + path);
            }
            Load.get(service, "/pools/hikari/slow?ms=1&pool=big");
            Load.get(service, "/pools/tomcat/slow?ms=1");
            Load.get(service, "/pools/dbcp2/slow?ms=1");
        }
        report = agent.awaitReport(service, r -> leaked(r, "jdbc_connection", "connectionWithoutClose") >= N
                && leaked(r, "jdbc_statement", "statementWithoutClose") >= N
                && leaked(r, "jdbc_resultset", "resultSetWithoutClose") >= N
                && leaked(r, "jdbc_statement", "resultSetWithoutClose") >= N);
        metrics = agent.metrics();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static List<JsonNode> leaks(JsonNode report, String type, String method) {
        return findings(report, f -> f.path("kind").asText().equals("unclosed_resource")
                && f.path("resource").path("type").asText().equals(type)
                && stackContains(f, "io.jdiag.testapp.JdbcServlet." + method + "("));
    }

    private static long leaked(JsonNode report, String type, String method) {
        return leaks(report, type, method).stream().mapToLong(f -> f.path("count").asLong()).sum();
    }

    @ParameterizedTest
    @CsvSource({"jdbc_connection, connectionWithoutClose", "jdbc_statement, statementWithoutClose",
        "jdbc_resultset, resultSetWithoutClose", "jdbc_statement, resultSetWithoutClose"})
    void aJdbcObjectDroppedWithoutCloseIsALeakNamingTheMethod(String type, String method) {
        List<JsonNode> found = leaks(report, type, method);
        assertThat(found).as(type + " " + method).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.path("detector").asText()).isEqualTo("leaks");
        assertThat(f.path("count").asLong()).isEqualTo(N);
        assertThat(f.path("route").asText()).isEqualTo("GET /jdbc/*");
        assertThat(f.path("details").path("site").asText()).startsWith("io.jdiag.testapp.JdbcServlet." + method + "(");
    }

    @Test
    void whatJdbcClosesAndPooledConnectionsAreNeverLeaks() {
        for (String method : List.of("allClosed", "connectionClosedOnly", "statementClosedOnly")) {
            assertThat(findings(report, f -> stackContains(f, "JdbcServlet." + method + "("))).as(method).isEmpty();
        }
        assertThat(findings(report, f -> stackContains(f, "PoolsServlet."))).as("pooled connections").isEmpty();
        assertThat(findings(report, f -> f.path("resource").path("type").asText().startsWith("jdbc_"))).hasSize(4);
    }

    @Test
    void metricsCountJdbcObjects() {
        assertThat(MetricSamples.sum(metrics, "jdiag_resources_leaked_total", Map.of("type", "jdbc_connection"))).isEqualTo(N);
        assertThat(MetricSamples.sum(metrics, "jdiag_resources_leaked_total", Map.of("type", "jdbc_statement"))).isEqualTo(2 * N);
        assertThat(MetricSamples.sum(metrics, "jdiag_resources_leaked_total", Map.of("type", "jdbc_resultset"))).isEqualTo(N);
        // N of each of the three connection-opening endpoints; plus the one shared connection
        assertThat(MetricSamples.sum(metrics, "jdiag_resources_opened_total", Map.of("type", "jdbc_connection")))
                .isEqualTo(3 * N + 1);
    }
}
