package io.jdiag.testapp.serialization;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.buffering.Uploads;
import io.jdiag.testapp.cli.Jdiag;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.ServiceProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both detectors hot-attached through {@code bin/jdiag} to a service that has already loaded and used
 * everything they instrument ({@code ObjectMapper}, {@code InputStream}, {@code ByteArrayOutputStream},
 * the servlet request): the classes are retransformed in place, the slow export and the upload read
 * whole after the attach are found with their methods, what ran before it is not, and a detach leaves
 * the service working.
 */
class HotAttachIT {
    static final long MIB = 1 << 20;
    private static ServiceProcess service;
    private static String pid;

    @BeforeAll
    static void startWithoutAgent() throws Exception {
        service = ServiceProcess.start();
        pid = Long.toString(service.pid());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void findingsAfterAHotAttachNameTheirMethods() throws Exception {
        // before the agent: Jackson, the upload path and a whole read are loaded and warm; none of it is seen
        assertThat(service.get("/export/small").status()).isEqualTo(200);
        assertThat(service.get("/export?rows=20000").status()).isEqualTo(200);
        assertThat(Uploads.post(service, "/upload", 12 * MIB).status()).isEqualTo(200);

        Jdiag.Result attach = Jdiag.run("attach", pid, "http.port=0");
        assertThat(attach.exitCode()).as(attach.toString()).isZero();

        for (int i = 0; i < 2; i++) {
            assertThat(service.get("/export?rows=200000").status()).isEqualTo(200);
        }
        assertThat(Uploads.post(service, "/upload", 12 * MIB).body()).isEqualTo("read " + 12 * MIB + " bytes");
        assertThat(service.get("/export/small").status()).isEqualTo(200);

        JsonNode report = awaitReport();
        assertThat(report.path("agent").path("mode").asText()).isEqualTo("attach");
        List<JsonNode> slow = findings(report, f -> stackContains(f, "ExportServlet.exportAllRowsAsJson("));
        assertThat(slow).hasSize(1);
        assertThat(slow.get(0).path("route").asText()).isEqualTo("GET /export/*");
        assertThat(slow.get(0).path("count").asLong()).isEqualTo(2);
        List<JsonNode> upload = findings(report, f -> stackContains(f, "UploadServlet.readWholeBody("));
        assertThat(upload).hasSize(1);
        assertThat(upload.get(0).path("count").asLong()).as("the upload before the attach is not seen").isEqualTo(1);
        assertThat(upload.get(0).path("severity").asText()).isEqualTo("critical");
        assertThat(findings(report, f -> stackContains(f, "exportOneRowAsJson"))).isEmpty();

        Jdiag.Result detach = Jdiag.run("detach", pid);
        assertThat(detach.exitCode()).as(detach.toString()).isZero();
        assertThat(service.get("/export/small").status()).isEqualTo(200);
        assertThat(Uploads.post(service, "/upload", 12 * MIB).status()).isEqualTo(200);
    }

    private static JsonNode awaitReport() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Jdiag.Result r = Jdiag.run("report", pid, "--json");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            last = AgentEndpoint.parse(r.stdout());
            if (findings(last, f -> stackContains(f, "exportAllRowsAsJson") || stackContains(f, "readWholeBody")).size() == 2) {
                return last;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("no findings after the attach; last report:\n" + last);
    }
}
