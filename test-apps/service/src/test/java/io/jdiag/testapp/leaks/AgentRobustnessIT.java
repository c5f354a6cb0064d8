package io.jdiag.testapp.leaks;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration never harms the application: one {@code jdiag:} line each, and the rest runs on. */
class AgentRobustnessIT {

    @Test
    void badAgentArgumentsPrintOneLineEachAndTheServiceRuns() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0,leaks.sample.rate=2,no.such.key=1,leaks.long-open.threshold=fast")
                .start()) {
            assertThat(service.get("/health").status()).isEqualTo(200);
            assertThat(service.get("/files/read").body()).isEqualTo("read 200 bytes");
            String err = service.stderr();
            assertThat(err).containsPattern("(?m)^jdiag: .*leaks\\.sample\\.rate=2: .*using the default 1$");
            assertThat(err).containsPattern("(?m)^jdiag: unknown config key 'no\\.such\\.key'.*$");
            assertThat(err).containsPattern("(?m)^jdiag: .*leaks\\.long-open\\.threshold=fast: expected a duration.*$");
            assertThat(err.lines().filter(l -> l.startsWith("jdiag:")).count()).isEqualTo(3);
            // the invalid value fell back to its default and the detector still works
            AgentEndpoint agent = AgentEndpoint.of(service);
            service.get("/files/leak");
            agent.awaitReport(service, r -> !findings(r, f -> stackContains(f, "readWithoutClose")).isEmpty());
        }
    }

    /** A batch job or CLI with the agent must end when its main returns: no agent thread may keep the JVM alive. */
    @Test
    void theJvmExitsWhenMainReturns() throws Exception {
        Path javaBin = Paths.javaHome().resolve("bin").resolve("java");
        Process p = new ProcessBuilder(javaBin.toString(), "-javaagent:" + Paths.agentJar() + "=http.port=0",
                "-jar", Paths.serviceJar().toString(), "--help")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        boolean exited = p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as("JVM exited; output:\n" + new String(out)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void takenPortLosesOnlyTheEndpointAndReportDirKeepsWorking(@TempDir Path reports) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServiceProcess service = ServiceProcess.builder()
                    .javaAgent(Paths.agentJar(), "http.port=" + taken.getLocalPort() + ",report.dir=" + reports
                            + ",report.interval=1s")
                    .start();
            try {
                assertThat(service.awaitStderr(Pattern.compile("jdiag: http\\.port=" + taken.getLocalPort()
                        + " .*cannot serve the endpoint.*report\\.dir keep working"), Duration.ofSeconds(20))).isPresent();
                assertThat(service.get("/health").status()).isEqualTo(200);
                for (int i = 0; i < 3; i++) {
                    service.get("/files/leak");
                }
                Path json = reports.resolve("jdiag-report-" + service.pid() + ".json");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                boolean found = false;
                while (!found && System.nanoTime() < deadline) {
                    service.gc();
                    Thread.sleep(1200);
                    if (Files.exists(json)) {
                        JsonNode r = AgentEndpoint.parse(Files.readString(json));
                        found = !findings(r, f -> stackContains(f, "readWithoutClose")).isEmpty();
                    }
                }
                assertThat(found).as("leak written to " + json).isTrue();
                assertThat(reports.resolve("jdiag-report-" + service.pid() + ".txt")).exists();
            } finally {
                service.stop();
            }
            // written once more at exit, complete (atomic rename: never half a file)
            JsonNode atExit = AgentEndpoint.parse(Files.readString(reports.resolve("jdiag-report-" + service.pid() + ".json")));
            assertThat(atExit.path("schema").asText()).isEqualTo("jdiag-report/1");
            try (var files = Files.list(reports)) {
                assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
            }
        }
    }

    /**
     * E.g. a base image adds the agent and the deployment adds it again. A second copy of the jar,
     * as in that case: JDK 25 aborts start-up itself when one jar path is given twice.
     */
    @Test
    void secondAgentLoadIsANoOpThatSaysSo(@TempDir Path dir) throws Exception {
        Path copy = Files.copy(Paths.agentJar(), dir.resolve("jdiag-agent-copy.jar"));
        try (ServiceProcess service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0")
                .javaAgent(copy, "http.port=0")
                .start()) {
            assertThat(service.stderr()).contains("jdiag: agent already installed in this JVM");
            assertThat(service.get("/health").status()).isEqualTo(200);
            AgentEndpoint agent = AgentEndpoint.of(service);
            assertThat(agent.get("/healthz").trim()).isEqualTo("ok");
        }
    }

    @Test
    void basicAuthProtectsEveryEndpoint(@TempDir Path dir) throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "s3cret\n");
        try (ServiceProcess service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0,http.user=ops,http.password-file=" + password)
                .start()) {
            AgentEndpoint agent = AgentEndpoint.of(service);
            var http = java.net.http.HttpClient.newHttpClient();
            for (String path : new String[] {"/metrics", "/report", "/healthz"}) {
                var anonymous = http.send(java.net.http.HttpRequest.newBuilder(agent.base().resolve(path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
                String basic = java.util.Base64.getEncoder().encodeToString("ops:s3cret".getBytes());
                var authorized = http.send(java.net.http.HttpRequest.newBuilder(agent.base().resolve(path))
                        .header("Authorization", "Basic " + basic).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(authorized.statusCode()).as(path).isEqualTo(200);
            }
        }
    }
}
