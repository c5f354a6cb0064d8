package io.jdiag.testapp;

import io.jdiag.testapp.harness.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Smoke test of the packaged service in a forked JVM, without the agent: checks the endpoints and the
 * harness itself. Runs in failsafe's integration-test phase, after the fat jar was built.
 */
class ServiceSmokeIT {

    private static ServiceProcess service;

    @BeforeAll
    static void startService() throws IOException {
        service = ServiceProcess.start();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void announcesPortOnStdout() {
        assertThat(service.port()).isPositive();
        assertThat(service.stdout()).startsWith("jdiag-test-service listening on port " + service.port() + "\n");
    }

    @Test
    void health() {
        ServiceProcess.Response r = service.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void indexListsEndpoints() {
        ServiceProcess.Response r = service.get("/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("/health", "/files/leak", "/files/read", "/sockets/leak", "/sockets/close");
    }

    @Test
    void filesReadAndLeak() {
        assertThat(service.get("/files/read")).isEqualTo(new ServiceProcess.Response(200, "read 200 bytes"));
        assertThat(service.get("/files/leak")).isEqualTo(new ServiceProcess.Response(200, "read 200 bytes"));
        assertThat(service.get("/files/leak?name=b")).isEqualTo(new ServiceProcess.Response(200, "read 300 bytes"));
        assertThat(service.get("/files/read?name=c")).isEqualTo(new ServiceProcess.Response(200, "read 400 bytes"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"leak-channel", "read-channel", "leak-raf", "read-raf", "leak-zip", "read-zip"})
    void otherFileResourceTypes(String endpoint) {
        assertThat(service.get("/files/" + endpoint + "?name=b"))
                .isEqualTo(new ServiceProcess.Response(200, "read 300 bytes"));
    }

    @Test
    void rejectsBadAndUnknownNames() {
        assertThat(service.get("/files/leak?name=..%2Fetc").status()).isEqualTo(400);
        assertThat(service.get("/files/read?name=A").status()).isEqualTo(400);
        assertThat(service.get("/files/read?name=zzz").status()).isEqualTo(404);
        assertThat(service.get("/files/nope").status()).isEqualTo(404);
    }

    @Test
    void sockets() {
        assertThat(service.get("/sockets/leak")).isEqualTo(new ServiceProcess.Response(200, "echoed 5 bytes"));
        assertThat(service.get("/sockets/close")).isEqualTo(new ServiceProcess.Response(200, "echoed 5 bytes"));
    }

    /**
     * The leaking endpoints must leave their resources unreachable (not stored anywhere), otherwise the
     * agent could not tell a leak from a resource still in use: after a GC the JDK's Cleaners must close
     * every file descriptor the leaks left open. Linux-only (reads /proc).
     */
    @Test
    void leakedFilesAreReleasedAfterGc() throws Exception {
        Path fdDir = Path.of("/proc", Long.toString(service.pid()), "fd");
        assumeTrue(Files.isDirectory(fdDir), "needs /proc");
        for (String endpoint : new String[] {"leak", "leak-channel", "leak-raf", "leak-zip"}) {
            assertThat(service.get("/files/" + endpoint + "?name=c").status()).isEqualTo(200);
        }
        assertThat(openDataFiles(fdDir)).as("fds open on the data dir after the leaks").isPositive();

        service.gc();
        // Cleaners run asynchronously after the GC.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (openDataFiles(fdDir) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            service.gc();
        }
        assertThat(openDataFiles(fdDir)).as("fds open on the data dir after GC").isZero();
    }

    /** jcmd works against the service and the service runs on the configured JDK (see Paths.javaHome()). */
    @Test
    void jcmdTalksToServiceJdk() throws IOException {
        Path release = service.javaHome().resolve("release");
        assumeTrue(Files.isRegularFile(release), "JDK without a release file");
        Matcher version = Pattern.compile("(?m)^JAVA_VERSION=\"([^\"]+)\"").matcher(Files.readString(release));
        assumeTrue(version.find(), "no JAVA_VERSION in " + release);

        assertThat(service.jcmd("VM.version")).contains("JDK " + version.group(1));
    }

    @Test
    void startupFailureReportsOutput() {
        assertThatThrownBy(() -> ServiceProcess.start("-XX:+ThisOptionDoesNotExist"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("ThisOptionDoesNotExist");
    }

    private static long openDataFiles(Path fdDir) throws IOException {
        try (Stream<Path> fds = Files.list(fdDir)) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("/jdiag-service-");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        }
    }
}
