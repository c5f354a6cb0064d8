package io.jdiag.testapp.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Drives a service's event-loop port and reads the blocking findings of its agent; shared by this package's tests. */
final class LoopClient {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;

    LoopClient(URI base) {
        this.base = base;
    }

    /** The Netty port of the test service, from its "netty listening on port" line. */
    static LoopClient netty(ServiceProcess service) {
        Matcher m = Pattern.compile("netty listening on port (\\d+)").matcher(service.stdout());
        assertThat(m.find()).as(service.stdout()).isTrue();
        return new LoopClient(URI.create("http://127.0.0.1:" + m.group(1) + "/"));
    }

    String get(String path) throws Exception {
        HttpResponse<String> r = http.send(request(path), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    /** {@code n} requests at once; returns their bodies once all have answered. */
    List<String> concurrently(String path, int n) {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(http.sendAsync(request(path), HttpResponse.BodyHandlers.ofString()));
        }
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : pending) {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            bodies.add(r.body());
        }
        return bodies;
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(base.resolve(path.substring(1))).timeout(Duration.ofSeconds(120)).build();
    }

    static List<JsonNode> blocking(JsonNode report, String kind) {
        return AgentEndpoint.findings(report, f -> "blocking".equals(f.path("detector").asText()) && kind.equals(f.path("kind").asText()));
    }

    /** Polls the report (no GC needed here) until a finding of the blocking detector satisfies {@code match}; 30 s at most. */
    static JsonNode awaitFinding(AgentEndpoint agent, String kind, Predicate<JsonNode> match) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = agent.report();
            for (JsonNode f : blocking(last, kind)) {
                if (match.test(f)) {
                    return f;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no blocking/" + kind + " finding as expected in 30 s; last report:\n" + last);
    }

    /** {@code name{labels}} summed over every series whose labels contain {@code labelPart} (e.g. {@code call="java.lang.Thread.sleep"}). */
    static double sum(String metrics, String name, String labelPart) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(labelPart)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
