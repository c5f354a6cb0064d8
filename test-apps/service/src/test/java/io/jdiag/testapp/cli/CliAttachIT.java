package io.jdiag.testapp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jdiag.testapp.harness.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hot-attach life cycle through {@code bin/jdiag}, on one service started without the agent:
 * files leaked before the attach (so {@code FileInputStream} and friends are loaded long before the
 * agent), attach, leaks after it found through {@code jdiag report --json} and {@code /metrics},
 * attach twice, {@code list}, {@code status}, detach (endpoint gone, service fine), re-attach.
 *
 * <p>The steps build on each other, so they run in order on one JVM (one start instead of one per
 * step keeps the suite fast).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliAttachIT {
    private static final int LEAKS = 5;
    private static final Pattern ATTACHED = Pattern.compile("attached to (\\d+), endpoint (http://\\S+/)\\n");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private ServiceProcess service;
    private String pid;
    private URI endpoint;

    @BeforeAll
    void startServiceWithoutAgent() throws IOException {
        service = ServiceProcess.start();
        pid = Long.toString(service.pid());
    }

    @AfterAll
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void listShowsTheServiceWithoutJdiag() {
        for (int i = 0; i < LEAKS; i++) {
            assertThat(service.get("/files/leak").status()).isEqualTo(200); // before the agent: not tracked
        }
        Jdiag.Result r = Jdiag.run("list");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("PID ");
        assertThat(listRow(r.stdout())).as(r.toString()).hasValueSatisfying(row ->
                assertThat(row).matches(pid + "\\s+\\S*jdiag-test-service\\.jar\\s+no\\s+-"));
        assertThat(r.stdout()).as("the CLI skips itself").doesNotContainPattern("(?m)^" + r.pid() + " ");
    }

    @Test
    @Order(2)
    void attachPrintsTheEndpoint() throws Exception {
        Jdiag.Result r = Jdiag.run("attach", pid, "http.port=0");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Matcher m = ATTACHED.matcher(r.stdout());
        assertThat(m.matches()).as(r.toString()).isTrue();
        assertThat(m.group(1)).isEqualTo(pid);
        assertThat(r.stderr()).isEmpty();
        endpoint = URI.create(m.group(2));
        assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
        assertThat(endpoint.getPort()).isPositive();
        assertThat(get(endpoint.resolve("healthz")).body()).isEqualTo("ok\n");
    }

    @Test
    @Order(3)
    void attachingTwiceIsSafeAndSaysSo() throws Exception {
        Jdiag.Result r = Jdiag.run("attach", pid);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("jdiag: already attached to " + pid + " (endpoint " + endpoint + ")\n");

        Jdiag.Result withSettings = Jdiag.run("attach", pid, "http.port=0", "leaks.enabled=false");
        assertThat(withSettings.exitCode()).isZero();
        assertThat(withSettings.stdout()).startsWith("jdiag: already attached to " + pid + " (endpoint " + endpoint + ")")
                .contains("settings not applied");
        assertThat(get(endpoint.resolve("healthz")).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(4)
    void listShowsJdiagAndItsEndpoint() {
        Jdiag.Result r = Jdiag.run("list");
        assertThat(r.exitCode()).isZero();
        assertThat(listRow(r.stdout())).as(r.toString()).hasValueSatisfying(row ->
                assertThat(row).matches(pid + "\\s+\\S+\\s+yes\\s+" + Pattern.quote(endpoint.toString())));
    }

    @Test
    @Order(5)
    void leaksAfterAttachAreReportedWithTheirStack() throws Exception {
        for (int i = 0; i < LEAKS; i++) {
            assertThat(service.get("/files/leak").status()).isEqualTo(200);
            assertThat(service.get("/files/read").status()).isEqualTo(200);
        }
        JsonNode leak = awaitLeakFinding();
        assertThat(leak.path("count").asLong()).isGreaterThanOrEqualTo(LEAKS);
        assertThat(leak.path("resource").path("type").asText()).isEqualTo("file");
        assertThat(stackOf(leak)).anyMatch(frame -> frame.contains("FilesServlet.readWithoutClose"));

        JsonNode report = reportJson();
        assertThat(report.path("schema").asText()).isEqualTo("jdiag-report/1");
        assertThat(report.path("jvm").path("pid").asText()).isEqualTo(pid);
        assertThat(report.path("agent").path("mode").asText()).isEqualTo("attach");
        for (JsonNode f : report.path("findings")) {
            assertThat(stackOf(f)).as("the correctly closed reads are no finding")
                    .noneMatch(frame -> frame.contains("FilesServlet.readAndClose"));
        }
    }

    @Test
    @Order(6)
    void metricsCountTheLeakedFiles() throws Exception {
        String metrics = get(endpoint.resolve("metrics")).body();
        Matcher m = Pattern.compile("(?m)^jdiag_resources_leaked_total\\{[^}]*type=\"file\"[^}]*}\\s+(\\S+)$").matcher(metrics);
        assertThat(m.find()).as(metrics).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(LEAKS);
    }

    @Test
    @Order(7)
    void statusShowsAgentDetectorsAndFindings() {
        Jdiag.Result r = Jdiag.run("status", pid);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout())
                .containsPattern("(?m)^pid:\\s+" + pid + "$")
                .containsPattern("(?m)^version:\\s+\\d+\\.\\d+\\.\\d+\\S*$")
                .containsPattern("(?m)^mode:\\s+attach$")
                .containsPattern("(?m)^endpoint:\\s+" + Pattern.quote(endpoint.toString()) + "$")
                .containsPattern("(?m)^detectors:\\s+.*\\bleaks on\\b")
                .containsPattern("(?m)^findings:\\s+[1-9]\\d* \\(.*leaks [1-9]");
    }

    @Test
    @Order(8)
    void textReportNamesTheLeakingMethod() {
        Jdiag.Result r = Jdiag.run("report", pid);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("FilesServlet.readWithoutClose").doesNotStartWith("{");
    }

    @Test
    @Order(9)
    void detachStopsTheEndpointAndTheServiceRunsOn() throws Exception {
        Jdiag.Result r = Jdiag.run("detach", pid);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("detached from " + pid + "\n");

        assertThatThrownBy(() -> get(endpoint.resolve("metrics")))
                .as("the endpoint is closed")
                .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(ConnectException.class));
        assertThat(service.get("/health")).isEqualTo(new ServiceProcess.Response(200, "ok"));
        assertThat(service.get("/files/leak").status()).isEqualTo(200);

        for (String verb : new String[] {"status", "report", "detach"}) {
            Jdiag.Result notAttached = Jdiag.run(verb, pid);
            assertThat(notAttached.exitCode()).as(verb + ": " + notAttached).isEqualTo(1);
            assertThat(notAttached.stderrLines()).as(verb).hasSize(1);
            assertThat(notAttached.stderr()).startsWith("jdiag: jdiag is not attached to " + pid + ";");
            assertThat(notAttached.stdout()).isEmpty();
        }
    }

    @Test
    @Order(10)
    void reattachWorksAndReportsAgain() throws Exception {
        Jdiag.Result r = Jdiag.run("attach", pid, "http.port=0");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        Matcher m = ATTACHED.matcher(r.stdout());
        assertThat(m.matches()).as(r.toString()).isTrue();
        endpoint = URI.create(m.group(2));
        assertThat(get(endpoint.resolve("metrics")).statusCode()).isEqualTo(200);

        for (int i = 0; i < LEAKS; i++) {
            assertThat(service.get("/files/leak").status()).isEqualTo(200);
        }
        JsonNode leak = awaitLeakFinding();
        assertThat(leak.path("count").asLong()).isGreaterThanOrEqualTo(LEAKS);

        Jdiag.Result detach = Jdiag.run("detach", pid);
        assertThat(detach.exitCode()).as(detach.toString()).isZero();
        assertThat(service.get("/health").status()).isEqualTo(200);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** The leaks finding of readWithoutClose, once the GC has collected the leaked streams and the agent counted them. */
    private JsonNode awaitLeakFinding() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            service.gc();
            last = reportJson();
            for (JsonNode f : last.path("findings")) {
                if ("leaks".equals(f.path("detector").asText()) && "unclosed_resource".equals(f.path("kind").asText())
                        && stackOf(f).stream().anyMatch(frame -> frame.contains("FilesServlet.readWithoutClose"))
                        && f.path("count").asLong() >= LEAKS) {
                    return f;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no leaks/unclosed_resource finding with count >= " + LEAKS + " in 30s; last report:\n" + last);
    }

    private JsonNode reportJson() throws IOException {
        Jdiag.Result r = Jdiag.run("report", pid, "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return JSON.readTree(r.stdout());
    }

    private static List<String> stackOf(JsonNode finding) {
        List<String> frames = new ArrayList<>();
        finding.path("stack").forEach(f -> frames.add(f.asText()));
        return frames;
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    private Optional<String> listRow(String table) {
        return table.lines().filter(line -> line.startsWith(pid + " ")).findFirst();
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
