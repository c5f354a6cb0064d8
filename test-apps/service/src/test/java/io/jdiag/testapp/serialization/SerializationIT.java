package io.jdiag.testapp.serialization;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.MetricSamples;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code serialization} detector, end to end, at its default threshold (50 ms), with the shaded
 * agent jar: its Jackson matchers name {@code com.fasterxml.jackson.databind} classes, which the
 * shading must leave alone (the agent relocates only its own {@code jackson-core}), so a Jackson
 * finding here is also the proof that the shaded jar still sees the application's Jackson.
 *
 * <p>Large exports of 200,000 rows with Jackson, Gson and Java serialization and a large Jackson import
 * (each twice: a type slow only once is held back) beside one-row responses called before and after them.
 */
class SerializationIT {
    static final int ROWS = 200_000;
    private static ServiceProcess service;
    private static AgentEndpoint agent;
    private static JsonNode report;
    private static String metrics;

    static final List<String> SLOW = List.of("exportAllRowsAsJson", "exportAllRowsWithGson", "exportAllRowsSerialized",
            "importAllRowsFromJson");

    @BeforeAll
    static void driveTraffic() throws Exception {
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
        small(3);
        for (int i = 0; i < 2; i++) {
            for (String path : List.of("/export?rows=" + ROWS, "/export/gson?rows=" + ROWS, "/export/java?rows=" + ROWS,
                    "/export/import?rows=" + ROWS)) {
                ServiceProcess.Response r = service.get(path);
                assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
            }
        }
        small(3);
        report = agent.awaitReport(service, r -> SLOW.stream().allMatch(m -> !slowAt(r, m).isEmpty()));
        metrics = agent.metrics();
    }

    private static void small(int times) {
        for (int i = 0; i < times; i++) {
            for (String path : List.of("/export/small", "/export/gson-small")) {
                ServiceProcess.Response r = service.get(path);
                assertThat(r.status()).as(path).isEqualTo(200);
                assertThat(r.body()).isEqualTo("exported 1 rows as 117 bytes");
            }
        }
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static List<JsonNode> slowAt(JsonNode report, String method) {
        return findings(report, f -> f.path("kind").asText().equals("slow_serialization")
                && stackContains(f, "io.jdiag.testapp.ExportServlet." + method + "("));
    }

    @ParameterizedTest
    @CsvSource({
        "exportAllRowsAsJson, jackson, serialize, Jackson serialize of java.util.ArrayList, com.fasterxml.jackson.databind.ObjectMapper.writeValueAsBytes(",
        "exportAllRowsWithGson, gson, serialize, Gson serialize of java.util.ArrayList, com.google.gson.Gson.toJson(",
        "exportAllRowsSerialized, java, serialize, Java serialization serialize of java.util.ArrayList, java.io.ObjectOutputStream.writeObject(",
        "importAllRowsFromJson, jackson, deserialize, Jackson deserialize of io.jdiag.testapp.ExportServlet$Row[], com.fasterxml.jackson.databind.ObjectMapper.readValue("})
    void aSlowCallIsAFindingWithTypeRouteAndTheCallingMethod(String method, String library, String operation, String summary,
                                                            String call) {
        List<JsonNode> found = slowAt(report, method);
        assertThat(found).as(method).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.path("detector").asText()).isEqualTo("serialization");
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("route").asText()).isEqualTo("GET /export/*");
        assertThat(f.path("count").asLong()).isEqualTo(2);
        assertThat(f.path("summary").asText()).startsWith(summary + " took ").contains(" ms in ").contains("." + method + " (GET /export/*)");
        assertThat(f.path("details").path("library").asText()).isEqualTo(library);
        assertThat(f.path("details").path("operation").asText()).isEqualTo(operation);
        assertThat(f.path("details").path("seconds").asDouble()).isGreaterThan(0.05);
        assertThat(f.path("stack").get(0).asText()).startsWith(call);
        assertThat(f.path("stack").get(1).asText()).startsWith("io.jdiag.testapp.ExportServlet." + method + "(ExportServlet.java:");
        assertThat(f.path("origin").asText()).isEqualTo("application");
    }

    @Test
    void sizesAreMeasuredWhereTheResultOrInputIsBytesOrAString() {
        assertThat(slowAt(report, "exportAllRowsAsJson").get(0).path("details").path("bytes").asLong()).isGreaterThan(20L << 20);
        assertThat(slowAt(report, "exportAllRowsSerialized").get(0).path("details").has("bytes")).isFalse();
    }

    @Test
    void smallResponsesYieldNothingAndNestedCallsAreNoFindingsOfTheirOwn() {
        assertThat(findings(report, f -> stackContains(f, "exportOneRow"))).isEmpty();
        assertThat(findings(report, f -> f.path("detector").asText().equals("serialization"))).hasSize(4);
    }

    @Test
    void theReportShowsEachRoutesShareOfRequestTimeSpentSerializing() {
        JsonNode routes = report.path("serialization").path("routes");
        assertThat(routes.size()).isEqualTo(1);
        JsonNode export = routes.get(0);
        assertThat(export.path("route").asText()).isEqualTo("GET /export/*");
        assertThat(export.path("calls").asLong()).isEqualTo(20);
        assertThat(export.path("requests").asLong()).isEqualTo(20);
        assertThat(export.path("share").asDouble()).isBetween(0.3, 1.0);
        assertThat(export.path("serializationSeconds").asDouble()).isLessThanOrEqualTo(export.path("requestSeconds").asDouble());
        assertThat(agent.get("/report?format=text")).contains("Time spent (de)serializing, per route")
                .containsPattern("\\d+\\.\\d%  GET /export/\\*: ");
    }

    @Test
    void metricsTimeEveryOutermostCallByLibraryAndOperation() throws Exception {
        AgentEndpoint.assertPrometheusText(metrics);
        String jacksonSerialize = "{library=\"jackson\",operation=\"serialize\"}";
        assertThat(sample(metrics, "jdiag_serialization_seconds_count" + jacksonSerialize)).as("2 large + 6 small").isEqualTo(8);
        assertThat(sample(metrics, "jdiag_serialization_seconds_count{library=\"gson\",operation=\"serialize\"}")).isEqualTo(8);
        assertThat(sample(metrics, "jdiag_serialization_seconds_count{library=\"java\",operation=\"serialize\"}")).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_serialization_seconds_count{library=\"jackson\",operation=\"deserialize\"}")).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_serialization_seconds_bucket{library=\"jackson\",operation=\"serialize\",le=\"0.05\"}"))
                .as("the one-row calls (but perhaps the first, building the serializer)").isGreaterThanOrEqualTo(5);
        assertThat(sample(metrics, "jdiag_serialization_bytes_count" + jacksonSerialize)).isEqualTo(8);
        assertThat(sample(metrics, "jdiag_serialization_bytes_count{library=\"java\",operation=\"serialize\"}")).isZero();
        assertThat(sample(metrics, "jdiag_serialization_slow_total{library=\"jackson\",operation=\"serialize\",type=\"java.util.ArrayList\"}"))
                .isEqualTo(2);
        assertThat(MetricSamples.sum(metrics, "jdiag_serialization_slow_total", Map.of("library", "java"))).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"serialization\"}")).isEqualTo(1);
        assertThat(service.stderr()).doesNotContain("jdiag: could not instrument");
    }
}
