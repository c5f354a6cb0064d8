package io.jdiag.testapp.leaks;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code leaks} detector, end to end: the service runs in its own JVM with
 * {@code -javaagent}; the test drives its endpoints over HTTP and reads {@code /metrics} and
 * {@code /report} like a user would. Leaking and closing variants run in the same JVM, so a
 * false positive from the closing ones would show up here.
 */
class LeaksIT {
    static final int N = 25;
    private static ServiceProcess service;
    private static AgentEndpoint agent;
    private static JsonNode report;
    private static String metrics;

    @BeforeAll
    static void driveTraffic() throws Exception {
        service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0,leaks.sample.rate=1")
                .start();
        agent = AgentEndpoint.of(service);
        for (int i = 0; i < N; i++) {
            for (String path : List.of("/files/read", "/files/read-channel", "/files/read-raf", "/files/read-zip",
                    "/sockets/close", "/files/leak")) {
                assertThat(service.get(path).status()).as(path).isEqualTo(200);
            }
        }
        for (String path : List.of("/files/leak-channel", "/files/leak-raf", "/files/leak-zip", "/sockets/leak")) {
            assertThat(service.get(path).status()).as(path).isEqualTo(200);
        }
        report = agent.awaitReport(service, r -> countAt(r, "readWithoutClose") >= N
                && countAt(r, "channelWithoutClose") >= 1 && countAt(r, "rafWithoutClose") >= 1
                && countAt(r, "zipWithoutClose") >= 1 && countAt(r, "connectWithoutClose") >= 1);
        metrics = agent.metrics();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static long countAt(JsonNode report, String method) {
        return findings(report, f -> stackContains(f, "FilesServlet." + method) || stackContains(f, "SocketsServlet." + method))
                .stream().mapToLong(f -> f.path("count").asLong()).sum();
    }

    @Test
    void leakingFileInputStreamIsOneGroupedFindingWithTheOpeningStack() {
        List<JsonNode> fileLeaks = findings(report, f -> stackContains(f, "FilesServlet.readWithoutClose"));
        assertThat(fileLeaks).as("one grouped finding for one leaking site").hasSize(1);
        JsonNode f = fileLeaks.get(0);
        assertThat(f.path("detector").asText()).isEqualTo("leaks");
        assertThat(f.path("kind").asText()).isEqualTo("unclosed_resource");
        assertThat(f.path("count").asLong()).isGreaterThanOrEqualTo(N);
        assertThat(f.path("resource").path("type").asText()).isEqualTo("file");
        assertThat(f.path("resource").path("description").asText()).endsWith("a.txt");
        assertThat(f.path("summary").asText()).startsWith("FileInputStream opened in FilesServlet.readWithoutClose (GET /files/*) was never closed");
        assertThat(f.path("route").asText()).isEqualTo("GET /files/*");
        assertThat(f.path("stack").get(0).asText()).startsWith("java.io.FileInputStream.<init>");
        assertThat(f.path("stack").get(1).asText()).startsWith("io.jdiag.testapp.FilesServlet.readWithoutClose(FilesServlet.java:");
        assertThat(f.path("thread").asText()).startsWith("qtp-service");
        assertThat(f.path("id").asText()).matches("[0-9a-f]{16}");
        assertThat(f.path("advice").asText()).contains("try-with-resources");
    }

    @Test
    void everyResourceTypeIsFoundAtItsSite() {
        assertOne("FilesServlet.channelWithoutClose", "file", "FileChannel");
        assertOne("FilesServlet.rafWithoutClose", "file", "RandomAccessFile");
        assertOne("FilesServlet.zipWithoutClose", "zip", "ZipFile");
        JsonNode socket = assertOne("SocketsServlet.connectWithoutClose", "socket", "Socket");
        assertThat(socket.path("resource").path("description").asText()).contains("127.0.0.1:");
    }

    private static JsonNode assertOne(String site, String type, String api) {
        List<JsonNode> found = findings(report, f -> stackContains(f, site));
        assertThat(found).as(site).hasSize(1);
        assertThat(found.get(0).path("resource").path("type").asText()).isEqualTo(type);
        assertThat(found.get(0).path("summary").asText()).startsWith(api + " opened in ");
        return found.get(0);
    }

    @Test
    void closingVariantsYieldNoFinding() {
        assertThat(findings(report, f -> f.path("stack").toString().contains("AndClose"))).isEmpty();
        // Every finding is one of the five leaking sites, nothing else the service or JDK did.
        assertThat(report.path("findings")).hasSize(5);
    }

    @Test
    void metricsCountLeaksByType() throws Exception {
        AgentEndpoint.assertPrometheusText(metrics);
        assertThat(sample(metrics, "jdiag_resources_leaked_total{type=\"file\"}")).isGreaterThanOrEqualTo(N + 2);
        assertThat(sample(metrics, "jdiag_resources_leaked_total{type=\"zip\"}")).isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "jdiag_resources_leaked_total{type=\"socket\"}")).isGreaterThanOrEqualTo(1);
        // each of the 6 file endpoints x N opened at least one file
        assertThat(sample(metrics, "jdiag_resources_opened_total{type=\"file\"}")).isGreaterThanOrEqualTo(4.0 * N);
        assertThat(sample(metrics, "jdiag_resources_open{type=\"file\"}")).isGreaterThanOrEqualTo(0);
        assertThat(sample(metrics, "jdiag_findings_total{detector=\"leaks\",kind=\"unclosed_resource\",origin=\"application\"}"))
                .isGreaterThanOrEqualTo(N + 4);
        assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"leaks\"}")).isEqualTo(1);
        assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"http\"}")).isEqualTo(1);
        assertThat(sample(metrics, "jdiag_agent_instrumentation_errors_total")).isEqualTo(0);
        assertThat(sample(metrics, "jdiag_agent_events_dropped_total")).isEqualTo(0);
        assertThat(metrics).containsPattern("jdiag_agent_info\\{version=\"[^\"]+\",jdk=\"[^\"]+\",mode=\"premain\",?\\} 1.0");
    }

    @Test
    void reportFollowsTheSchema() {
        assertThat(report.path("schema").asText()).isEqualTo("jdiag-report/1");
        assertThat(report.path("jvm").path("pid").asLong()).isEqualTo(service.pid());
        assertThat(report.path("jvm").path("mainClass").asText()).contains("jdiag-test-service");
        assertThat(report.path("agent").path("mode").asText()).isEqualTo("premain");
        assertThat(report.path("agent").path("detectors").path("leaks").asBoolean()).isTrue();
        assertThat(report.path("findingsDropped").asLong()).isZero();
        for (JsonNode f : report.path("findings")) {
            for (String field : List.of("id", "detector", "kind", "severity", "summary", "count", "firstSeen", "lastSeen", "stack")) {
                assertThat(f.has(field)).as(field).isTrue();
            }
        }
        String text = agent.get("/report?format=text");
        assertThat(text).contains("leaks/unclosed_resource", "FilesServlet.readWithoutClose");
        assertThat(agent.get("/healthz").trim()).isEqualTo("ok");
    }

    @Test
    void serviceAnswersNormallyWithTheAgent() {
        ServiceProcess.Response r = service.get("/files/read?name=b");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("read 300 bytes");
        assertThat(service.stderr()).doesNotContain("jdiag: could not instrument");
    }
}
