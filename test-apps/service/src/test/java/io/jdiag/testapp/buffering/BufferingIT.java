package io.jdiag.testapp.buffering;

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
 * The {@code buffering} detector, end to end, at its default threshold (8 MiB): a 12 MiB upload read
 * whole and one streamed to a file, 12 MiB downstream responses read whole by four clients and one
 * streamed, a {@code ByteArrayOutputStream} grown to 12 MiB and one of 1 MiB. All in one service JVM,
 * so a finding from a streaming variant would show here.
 */
class BufferingIT {
    static final long MIB = 1 << 20;
    private static ServiceProcess service;
    private static AgentEndpoint agent;
    private static JsonNode report;
    private static String metrics;

    static final List<String> WHOLE_DOWNLOADS = List.of("jdkClientReadsWholeResponse", "apacheReadsWholeResponse",
            "okhttpReadsWholeResponse", "urlConnectionReadsWholeResponse");

    @BeforeAll
    static void driveTraffic() throws Exception {
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
        for (int i = 0; i < 2; i++) {
            assertThat(Uploads.post(service, "/upload/stream", 12 * MIB).body()).isEqualTo("stored " + 12 * MIB + " bytes");
            assertThat(Uploads.post(service, "/upload", 12 * MIB).body()).isEqualTo("read " + 12 * MIB + " bytes");
            assertThat(Uploads.post(service, "/upload", 1 * MIB).body()).isEqualTo("read " + MIB + " bytes");
            ok("/upload/buffer?mib=12", "buffered " + 12 * MIB + " bytes");
            ok("/upload/buffer?mib=1", "buffered " + MIB + " bytes");
            for (String client : List.of("jdk-whole", "jdk-stream", "apache-whole", "okhttp-whole", "urlconnection-whole")) {
                ok("/downloads/" + client + "?mib=12", "downloaded " + 12 * MIB + " bytes");
            }
            ok("/downloads/apache-whole?mib=1", "downloaded " + MIB + " bytes");
        }
        report = agent.awaitReport(service, r -> findings(r, f -> f.path("detector").asText().equals("buffering")).size() >= 6
                && findings(r, f -> f.path("detector").asText().equals("buffering")).stream().allMatch(f -> f.path("count").asLong() >= 2));
        metrics = agent.metrics();
    }

    private static void ok(String path, String body) {
        ServiceProcess.Response r = service.get(path);
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(body);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static List<JsonNode> buffering(String method) {
        return findings(report, f -> f.path("detector").asText().equals("buffering") && stackContains(f, "." + method + "("));
    }

    @Test
    void anUploadReadWholeIsCriticalWithRouteStackAndSize() {
        List<JsonNode> found = buffering("readWholeBody");
        assertThat(found).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.path("kind").asText()).isEqualTo("unbounded_buffering");
        assertThat(f.path("severity").asText()).as("declared 12 MiB and read whole").isEqualTo("critical");
        assertThat(f.path("route").asText()).isEqualTo("POST /upload/*");
        assertThat(f.path("count").asLong()).as("the 1 MiB uploads are below the threshold").isEqualTo(2);
        assertThat(f.path("summary").asText()).startsWith(
                "InputStream.readAllBytes read a 12.0 MiB request body into memory in UploadServlet.readWholeBody (POST /upload/*) (the request declared Content-Length 12.0 MiB)");
        assertThat(f.path("resource").path("type").asText()).isEqualTo("servlet_request");
        assertThat(f.path("stack").get(0).asText()).startsWith("java.io.InputStream.readAllBytes(");
        assertThat(f.path("stack").get(1).asText()).startsWith("io.jdiag.testapp.UploadServlet.readWholeBody(UploadServlet.java:");
        assertThat(f.path("details").path("bytes").asLong()).isEqualTo(12 * MIB);
        assertThat(f.path("details").path("declaredContentLength").asLong()).isEqualTo(12 * MIB);
        assertThat(f.path("origin").asText()).isEqualTo("application");
        assertThat(f.path("advice").asText()).contains("bounded chunks");
    }

    @Test
    void aByteArrayOutputStreamGrownPastTheThresholdNamesTheWritingMethod() {
        List<JsonNode> found = buffering("bufferInMemory");
        assertThat(found).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("route").asText()).isEqualTo("GET /upload/*");
        assertThat(f.path("count").asLong()).as("once per buffer, the 1 MiB ones never").isEqualTo(2);
        assertThat(f.path("summary").asText()).isEqualTo(
                "ByteArrayOutputStream grew past 8.0 MiB (to a 16.0 MiB buffer) in UploadServlet.bufferInMemory (GET /upload/*) (2 times)");
        assertThat(f.path("resource").path("type").asText()).isEqualTo("byte_array_output_stream");
        assertThat(f.path("stack").get(1).asText()).startsWith("io.jdiag.testapp.UploadServlet.bufferInMemory(");
    }

    @ParameterizedTest
    @CsvSource({
        "jdkClientReadsWholeResponse, HttpClient.send",
        "apacheReadsWholeResponse, EntityUtils.toByteArray",
        "okhttpReadsWholeResponse, ResponseBody.bytes",
        "urlConnectionReadsWholeResponse, InputStream.readAllBytes"})
    void aDownstreamResponseReadWholeNamesTheClientCallAndTheMethod(String method, String call) {
        List<JsonNode> found = buffering(method);
        assertThat(found).as(method).hasSize(1);
        JsonNode f = found.get(0);
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("route").asText()).isEqualTo("GET /downloads/*");
        assertThat(f.path("count").asLong()).as("the 1 MiB download is below the threshold").isEqualTo(2);
        assertThat(f.path("summary").asText()).startsWith(call + " read a 12.0 MiB response body into memory in DownloadsServlet." + method + " (GET /downloads/*)");
        assertThat(f.path("resource").path("type").asText()).isEqualTo("http_client_response");
        assertThat(f.path("stack").get(1).asText()).startsWith("io.jdiag.testapp.DownloadsServlet." + method + "(");
    }

    @Test
    void streamingVariantsAndSmallReadsYieldNothing() {
        assertThat(findings(report, f -> stackContains(f, "copyBodyInChunks") || stackContains(f, "jdkClientStreamsResponse")))
                .isEmpty();
        assertThat(findings(report, f -> f.path("detector").asText().equals("buffering")))
                .as("exactly the six faulty sites, nothing the service, its libraries, the JDK or the agent did")
                .hasSize(6);
    }

    @Test
    void metricsCountWholeReadsAndLargeOnesBySource() throws Exception {
        AgentEndpoint.assertPrometheusText(metrics);
        assertThat(sample(metrics, "jdiag_buffering_large_total{source=\"servlet_request\"}")).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_buffering_large_total{source=\"byte_array_output_stream\"}")).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_buffering_large_total{source=\"http_client_response\"}")).isEqualTo(8);
        assertThat(sample(metrics, "jdiag_buffering_large_total{source=\"input_stream\"}")).isZero();
        assertThat(sample(metrics, "jdiag_buffering_large_total{source=\"netty_aggregator\"}")).isZero();
        // the request bodies read whole: two of 12 MiB, two of 1 MiB
        assertThat(sample(metrics, "jdiag_buffering_bytes_count{source=\"servlet_request\"}")).isEqualTo(4);
        assertThat(sample(metrics, "jdiag_buffering_bytes_bucket{source=\"servlet_request\",le=\"1048576.0\"}")).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_buffering_bytes_bucket{source=\"servlet_request\",le=\"8388608.0\"}")).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_buffering_bytes_sum{source=\"servlet_request\"}")).isEqualTo(26.0 * MIB);
        assertThat(MetricSamples.sum(metrics, "jdiag_buffering_bytes_count", Map.of("source", "http_client_response")))
                .isGreaterThanOrEqualTo(10);
        assertThat(sample(metrics, "jdiag_findings_total{detector=\"buffering\",kind=\"unbounded_buffering\",origin=\"application\"}"))
                .isEqualTo(12);
        assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"buffering\"}")).isEqualTo(1);
        assertThat(sample(metrics, "jdiag_agent_instrumentation_errors_total")).isZero();
        assertThat(service.stderr()).doesNotContain("jdiag: could not instrument");
    }

    @Test
    void textReportNamesTheFaultyMethods() {
        String text = agent.get("/report?format=text");
        assertThat(text).contains("[critical] buffering/unbounded_buffering", "UploadServlet.readWholeBody",
                "DownloadsServlet.okhttpReadsWholeResponse");
    }
}
