package io.jdiag.testapp.core;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.cli.Jdiag;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.Remapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One broken detector cannot take the others down, at start-up and on hot attach. The test builds a
 * copy of the shipped agent jar with five more detectors registered, each broken at one step (its
 * class cannot load, its start throws, its warm-up throws, its instrumentation cannot be prepared,
 * its advice cannot be applied to a class of the service), and checks that each is off with one
 * {@code jdiag:} line, {@code jdiag_agent_detector_up} 0 and its cause in {@code agent.detectorErrors},
 * and that nothing it registered outlives it — while {@code leaks}, {@code http}, the endpoint and
 * {@code report.dir} run on.
 */
class DetectorIsolationIT {
    private static final String TEST_DETECTORS = "io/jdiag/agent/testdetectors/";
    private static final List<String> BROKEN = List.of(
            "io.jdiag.agent.testdetectors.MissingLibraryDetector",
            "io.jdiag.agent.testdetectors.BrokenDetector$StartFails",
            "io.jdiag.agent.testdetectors.BrokenDetector$WarmUpFails",
            "io.jdiag.agent.testdetectors.BrokenDetector$InstrumentationFails",
            "io.jdiag.agent.testdetectors.BrokenDetector$AdviceFails");
    /** Name in the report → what its cause must say. */
    private static final Map<String, String> CAUSES = Map.of(
            "missinglibrary", "cannot be loaded: java.lang.NoClassDefFoundError: io/jdiag/agent/testdetectors/MissingLibrary",
            "start-fails", "failed to start: java.lang.IllegalStateException: boom at start",
            "warmup-fails", "failed to warm up: java.lang.UnsupportedOperationException: boom at warm-up",
            "instrumentation-fails", "its instrumentation could not be prepared: java.lang.NoClassDefFoundError: org/example/MissingLibrary",
            "advice-fails", "its advice could not be applied to io.jdiag.testapp.FilesServlet");

    private static Path brokenJar;

    @BeforeAll
    static void buildBrokenAgentJar(@TempDir Path dir) throws IOException {
        brokenJar = dir.resolve("jdiag-agent-with-broken-detectors.jar");
        withBrokenDetectors(Paths.agentJar(), brokenJar);
    }

    @Test
    void atStartUpEachBrokenDetectorIsOffAloneAndTheRestRunsOn(@TempDir Path reports) throws Exception {
        try (ServiceProcess service = ServiceProcess.builder()
                .javaAgent(brokenJar, "http.port=0,report.dir=" + reports + ",report.interval=1s")
                .start()) {
            service.get("/files/read"); // FilesServlet is used: the failing advice was tried on it
            AgentEndpoint agent = AgentEndpoint.of(service);
            assertIsolated(service, agent);
            Path json = reports.resolve("jdiag-report-" + service.pid() + ".json");
            assertThat(awaitFile(json)).as("report.dir keeps working").isTrue();
            assertThat(AgentEndpoint.parse(Files.readString(json)).path("agent").path("detectorErrors").size())
                    .isEqualTo(CAUSES.size());
        }
    }

    @Test
    void onAttachEachBrokenDetectorIsOffAloneAndTheAttachSucceeds() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().start()) {
            service.get("/files/read"); // FilesServlet is loaded before the attach: retransformed
            Jdiag.Result r = Jdiag.run(Map.of("JDIAG_AGENT_JAR", brokenJar.toString()), List.of(),
                    "attach", Long.toString(service.pid()), "http.port=0");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertIsolated(service, AgentEndpoint.of(service));
        }
    }

    private static void assertIsolated(ServiceProcess service, AgentEndpoint agent) throws Exception {
        // one line each, naming the detector and the cause
        for (Map.Entry<String, String> c : CAUSES.entrySet()) {
            Pattern line = Pattern.compile("(?m)^jdiag: " + Pattern.quote(c.getKey()) + " detector turned off: "
                    + Pattern.quote(c.getValue()) + ".*; the other detectors keep working$");
            assertThat(service.awaitStderr(line, Duration.ofSeconds(30))).as(c.getKey() + " in\n" + service.stderr()).isPresent();
        }
        assertThat(service.stderr().lines().filter(l -> l.startsWith("jdiag: ") && l.contains("detector turned off")))
                .hasSize(CAUSES.size());

        // the real detectors work: a leak is found with its route, requests are timed by route
        for (int i = 0; i < 3; i++) {
            assertThat(service.get("/files/leak").status()).isEqualTo(200);
        }
        JsonNode report = agent.awaitReport(service, r -> !findings(r, f -> stackContains(f, "readWithoutClose")).isEmpty());
        String metrics = agent.metrics();
        AgentEndpoint.assertPrometheusText(metrics);
        assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"leaks\"}")).isEqualTo(1);
        assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"http\"}")).isEqualTo(1);
        assertThat(metrics).contains("jdiag_http_server_requests_seconds_count{server=\"jetty\",method=\"GET\",route=\"/files/*\"");

        JsonNode agentNode = report.path("agent");
        for (Map.Entry<String, String> c : CAUSES.entrySet()) {
            assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"" + c.getKey() + "\"}")).as(c.getKey()).isEqualTo(0);
            assertThat(agentNode.path("detectors").path(c.getKey()).asBoolean(true)).as(c.getKey()).isFalse();
            assertThat(agentNode.path("detectorErrors").path(c.getKey()).asText()).as(c.getKey()).startsWith(c.getValue());
        }
        assertThat(agentNode.path("detectors").path("leaks").asBoolean()).isTrue();
        // nothing a failed detector registered outlives it
        assertThat(metrics).doesNotContain("jdiag_test_half_started");
        assertThat(service.stderr()).doesNotContain("periodic task");
        // and the application never noticed
        assertThat(service.get("/files/read").body()).isEqualTo("read 200 bytes");
        assertThat(service.stderr()).doesNotContain("Exception in thread");
    }

    private static boolean awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /**
     * Copies the agent jar, adding the test detectors of the agent's test jar (relocated as the shade
     * plugin relocates the agent's own classes; {@code MissingLibrary} left out) and registering them
     * after the real ones.
     */
    static void withBrokenDetectors(Path agentJar, Path out) throws IOException {
        String services = "inst/META-INF/services/io.jdiag.agent.core.Detector";
        try (JarFile in = new JarFile(agentJar.toFile());
             JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), in.getManifest())) {
            for (JarEntry e : Collections.list(in.entries())) {
                if (e.getName().equals(JarFile.MANIFEST_NAME)) {
                    continue;
                }
                jar.putNextEntry(new JarEntry(e.getName()));
                try (InputStream data = in.getInputStream(e)) {
                    if (e.getName().equals(services)) {
                        String registered = new String(data.readAllBytes(), StandardCharsets.UTF_8);
                        jar.write((registered.stripTrailing() + "\n" + String.join("\n", BROKEN) + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                    } else {
                        data.transferTo(jar);
                    }
                }
                jar.closeEntry();
            }
            for (String name : List.of("BrokenDetector", "BrokenDetector$StartFails", "BrokenDetector$WarmUpFails",
                    "BrokenDetector$InstrumentationFails", "BrokenDetector$AdviceFails", "BrokenDetector$AdviceFails$1",
                    "BrokenDetector$HalfStartedMetric", "MissingLibraryDetector")) {
                jar.putNextEntry(new JarEntry("inst/" + TEST_DETECTORS + name + ".classdata"));
                writeRelocated(TEST_DETECTORS + name + ".class", jar);
                jar.closeEntry();
            }
        }
    }

    private static void writeRelocated(String resource, OutputStream out) throws IOException {
        byte[] original;
        try (InputStream in = DetectorIsolationIT.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test class path (jdiag-agent test-jar)");
            }
            original = in.readAllBytes();
        }
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(original).accept(new ClassRemapper(writer, new Remapper() {
            @Override
            public String map(String internalName) {
                for (String[] r : new String[][] {
                    {"net/bytebuddy/", "io/jdiag/shaded/bytebuddy/"},
                    {"io/prometheus/client/", "io/jdiag/shaded/prometheus/"},
                    {"com/fasterxml/jackson/core/", "io/jdiag/shaded/jackson/core/"}}) {
                    if (internalName.startsWith(r[0])) {
                        return r[1] + internalName.substring(r[0].length());
                    }
                }
                return internalName;
            }
        }), 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(writer.toByteArray());
        bytes.writeTo(out);
    }
}
