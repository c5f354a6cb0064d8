package io.jdiag.testapp.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * The jdiag endpoint of a {@link ServiceProcess}, found the way the CLI finds it: from the
 * {@code io.jdiag.agent.endpoint} system property the agent publishes in its JVM.
 */
public final class AgentEndpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AgentEndpoint(URI base) {
        this.base = base;
    }

    /** Waits (bounded) until the agent in {@code service} publishes its endpoint. */
    public static AgentEndpoint of(ServiceProcess service) throws InterruptedException {
        return new AgentEndpoint(URI.create(service.awaitAgentEndpoint(Duration.ofSeconds(30), e -> !e.equals("off"))
                .orElseThrow(() -> new AssertionError("agent endpoint never published; stderr:\n" + service.stderr()))));
    }

    public URI base() {
        return base;
    }

    public String get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + path + " -> " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException());
        }
    }

    public String metrics() {
        return get("/metrics");
    }

    public JsonNode report() {
        return parse(get("/report"));
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    public static List<JsonNode> findings(JsonNode report, Predicate<JsonNode> filter) {
        List<JsonNode> out = new ArrayList<>();
        StreamSupport.stream(report.path("findings").spliterator(), false).filter(filter).forEach(out::add);
        return out;
    }

    /** True when any frame of the finding's stack contains {@code text}. */
    public static boolean stackContains(JsonNode finding, String text) {
        for (JsonNode frame : finding.path("stack")) {
            if (frame.asText().contains(text)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Polls the report, running a GC in the service before each look, until {@code done} holds
     * (bounded: 30 s). Leaks are only seen after the collector found the resources unreachable.
     */
    public JsonNode awaitReport(ServiceProcess service, Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            service.gc();
            Thread.sleep(300);
            last = report();
            if (done.test(last)) {
                return last;
            }
        }
        throw new AssertionError("report never satisfied the condition; last report:\n" + last);
    }

    /** The value of one sample, e.g. {@code jdiag_resources_leaked_total{type="file"}}; NaN when absent. */
    public static double sample(String metricsText, String nameAndLabels) {
        for (String line : metricsText.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            String normalized = line.replace(",}", "}");
            if (normalized.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(normalized.substring(nameAndLabels.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /**
     * Asserts the text is Prometheus exposition format: with {@code promtool check metrics} when it
     * is installed (CI installs it; {@code CI=true} makes it required), and by a line grammar always.
     */
    public static void assertPrometheusText(String text) throws IOException, InterruptedException {
        Pattern sample = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
                + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            if (!sample.matcher(line).matches()) {
                throw new AssertionError("not a Prometheus sample line: " + line);
            }
        }
        Path promtool = findOnPath("promtool");
        if (promtool == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("promtool is required in CI (.ci/run installs the prometheus package)");
            }
            return;
        }
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int rc = p.waitFor();
        // promtool's lint also prints advice (e.g. on counters' units) but exits 0 for valid text;
        // exit 1 means the text did not parse, or lint problems: both are failures here.
        if (rc != 0) {
            throw new AssertionError("promtool check metrics failed (" + rc + "):\n" + out);
        }
    }

    private static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
