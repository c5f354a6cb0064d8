package io.jdiag.testapp.cli;

import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A detach leaves nothing of the agent behind but its bootstrap hooks, and a JVM that holds the
 * hooks of one build refuses an agent of another. One service, started with the agent
 * ({@code -javaagent}, so the container's worker pool is registered and read through
 * {@code WorkerPools}), then detached, re-attached with the same build, detached again, refused
 * an attach (port taken: no agent class left either), and offered another build: by the CLI (refused before loading) and straight through the attach mechanism with
 * the jar replaced in place (refused by the agent).
 *
 * <p>"Nothing behind" is what {@code jcmd GC.class_histogram} shows after {@code GC.run}: no object
 * of a class of the agent's class loader ({@code io.jdiag.agent.*}, {@code io.jdiag.shaded.*}); the
 * loader itself, an {@code io.jdiag.agent.AgentClassLoader}, would be one. {@code AgentMain} is on
 * the system class path and has no instances.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetachIT {
    private static final Pattern AGENT_CLASS = Pattern.compile("io\\.jdiag\\.(agent|shaded)\\.");
    private static final String MISMATCH = "holds the bootstrap hooks of another jdiag build";

    private Path dir;
    /** The build the service runs, at a path of its own, so that the test can replace it in place. */
    private Path jar;
    /** The same agent with one more class among its bootstrap hooks: another build. */
    private Path otherBuild;
    private ServiceProcess service;
    private String pid;

    @BeforeAll
    void startServiceWithTheAgent() throws IOException {
        dir = Files.createTempDirectory("jdiag-detach-it");
        jar = dir.resolve("jdiag-agent.jar");
        Files.copy(Paths.agentJar(), jar);
        otherBuild = dir.resolve("jdiag-agent-other-build.jar");
        withAnotherHook(Paths.agentJar(), otherBuild);
        // report.dir: the agent also has a shutdown hook and a periodic writer to take back
        service = ServiceProcess.builder().javaAgent(jar, "http.port=0,report.dir=" + dir.resolve("reports")).start();
        pid = Long.toString(service.pid());
    }

    @AfterAll
    void stopService() throws IOException {
        if (service != null) {
            service.close();
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    @Order(1)
    void detachOfTheStartUpAgentLeavesNoAgentClass() throws Exception {
        AgentEndpoint agent = AgentEndpoint.of(service);
        traffic();
        assertThat(agent.metrics()).as("the worker pool was read (WorkerPools' ClassValue on Jetty's pool class)")
                .containsPattern("(?m)^jdiag_http_server_workers_max\\{server=\"jetty\"[^}]*} [1-9]");
        assertThat(agent.report().path("findings").size()).as("the hooks ran").isPositive();

        detach();
        assertThat(agentObjectsAfterGc()).isEmpty();
        assertThat(service.get("/health")).isEqualTo(new ServiceProcess.Response(200, "ok"));
    }

    @Test
    @Order(2)
    void theSameBuildAttachesAgainAndDetachesCleanAgain() throws Exception {
        Jdiag.Result r = cli(jar, "attach", pid, "http.port=0", "report.dir=" + dir.resolve("reports"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("attached to " + pid + ", endpoint http://");
        AgentEndpoint agent = AgentEndpoint.of(service);
        traffic();
        assertThat(agent.awaitReport(service, report -> report.path("findings").size() > 0)
                .path("agent").path("mode").asText()).isEqualTo("attach");

        detach();
        assertThat(agentObjectsAfterGc()).isEmpty();
    }

    /** A refused attach created the agent's loader and started its detectors before it gave up. */
    @Test
    @Order(3)
    void aRefusedAttachLeavesNoAgentClassEither() throws Exception {
        Jdiag.Result r = cli(jar, "attach", pid, "http.port=" + service.port());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).as(r.toString()).contains("cannot serve the endpoint");
        assertThat(agentObjectsAfterGc()).isEmpty();
        assertNotAttachedAndRunningOn();
    }

    @Test
    @Order(4)
    void anotherBuildIsRefusedByTheCliInOneLine() {
        Jdiag.Result r = cli(otherBuild, "attach", pid, "http.port=0");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderrLines()).as(r.toString()).hasSize(1);
        assertThat(r.stderr()).startsWith("jdiag: JVM " + pid + " " + MISMATCH + " (hooks ")
                .contains("restart the JVM to use this one");
        assertThat(r.stdout()).isEmpty();
        assertNotAttachedAndRunningOn();
    }

    /**
     * The user replaced the jar the JVM loaded the agent from (an upgrade in place) and attaches
     * without the CLI's check: the agent code of the new jar would run against the old hooks, so
     * the agent itself refuses, with its line in the attach-error property, and nothing fails
     * inside advice.
     */
    @Test
    @Order(5)
    void anotherBuildReplacingTheJarInPlaceIsRefusedByTheAgent() throws Exception {
        Path staged = dir.resolve("staged.jar");
        Files.copy(otherBuild, staged);
        Files.move(staged, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        service.jcmd("JVMTI.agent_load", jar.toString(), "http.port=0");
        String props = service.jcmd("VM.system_properties");
        assertThat(props.lines().filter(l -> l.startsWith("io.jdiag.agent.attach-error=")))
                .as(props).singleElement().asString().contains("this JVM " + MISMATCH);
        assertThat(service.awaitStderr(Pattern.compile("jdiag: attach refused, nothing installed: jdiag: this JVM " + MISMATCH),
                Duration.ofSeconds(30))).as(service.stderr()).isPresent();
        assertNotAttachedAndRunningOn();
        assertThat(service.stderr()).doesNotContain("NoSuchMethodError").doesNotContain("NoClassDefFoundError");
    }

    private void assertNotAttachedAndRunningOn() {
        assertThat(service.jcmd("VM.system_properties")).doesNotContain("io.jdiag.agent.version=");
        assertThat(service.get("/health")).isEqualTo(new ServiceProcess.Response(200, "ok"));
        assertThat(service.get("/files/read").status()).isEqualTo(200);
    }

    /** A few requests through the hooks of most detectors. */
    private void traffic() {
        for (String path : List.of("/files/leak", "/files/read", "/sockets/close", "/slow/sleep?ms=10",
                "/upload/buffer?mib=1", "/export/small", "/clients/jdk/timeouts?port=" + service.port())) {
            assertThat(service.get(path).status()).as(path).isEqualTo(200);
        }
    }

    private void detach() {
        Jdiag.Result r = cli(jar, "detach", pid);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("detached from " + pid + "\n");
    }

    private static Jdiag.Result cli(Path agentJar, String... args) {
        return Jdiag.run(Map.of("JDIAG_AGENT_JAR", agentJar.toString()), List.of(), args);
    }

    /**
     * Histogram lines of agent classes after full GCs. Unloading needs the loader to be found
     * unreachable by a full GC, and reference processing may take one more: a few rounds, bounded.
     */
    private List<String> agentObjectsAfterGc() throws InterruptedException {
        List<String> left = List.of();
        for (int round = 0; round < 5; round++) {
            service.gc();
            left = service.jcmd("GC.class_histogram").lines()
                    .filter(line -> AGENT_CLASS.matcher(line).find())
                    .collect(Collectors.toList());
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(1000);
        }
        return left;
    }

    /** Copies the agent jar, adding a class to its nested bootstrap jar: hooks of another build. */
    private static void withAnotherHook(Path agentJar, Path out) throws IOException {
        try (JarFile in = new JarFile(agentJar.toFile());
             JarOutputStream copy = new JarOutputStream(Files.newOutputStream(out), in.getManifest())) {
            for (JarEntry e : Collections.list(in.entries())) {
                if (e.getName().equals(JarFile.MANIFEST_NAME)) {
                    continue;
                }
                copy.putNextEntry(new JarEntry(e.getName()));
                try (InputStream data = in.getInputStream(e)) {
                    if (e.getName().equals("jdiag-bootstrap.jar")) {
                        copy.write(bootstrapWithAnotherHook(data));
                    } else {
                        data.transferTo(copy);
                    }
                }
                copy.closeEntry();
            }
        }
    }

    private static byte[] bootstrapWithAnotherHook(InputStream bootstrapJar) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(bootstrapJar);
             JarOutputStream out = new JarOutputStream(bytes)) {
            for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                out.putNextEntry(new JarEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("io/jdiag/bootstrap/HookOfAnotherBuild.class"));
            out.write("never loaded: the attach is refused first".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return bytes.toByteArray();
    }
}
