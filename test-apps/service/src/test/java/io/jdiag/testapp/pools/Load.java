package io.jdiag.testapp.pools;

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

/** Bounded concurrent load on the loopback service, and waiting for findings. */
final class Load {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Load() {
    }

    /** {@code n} concurrent GETs of {@code pathAndQuery}; waits for all and asserts every one answered 200. */
    static void concurrently(ServiceProcess service, String pathAndQuery, int n) {
        URI uri = service.baseUri().resolve(pathAndQuery);
        List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            load.add(HTTP.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : load) {
            HttpResponse<String> r = f.join();
            assertThat(r.statusCode()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
        }
    }

    /** One GET that must answer 200. */
    static String get(ServiceProcess service, String pathAndQuery) {
        ServiceProcess.Response r = service.get(pathAndQuery);
        assertThat(r.status()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    /** The first finding matching {@code filter}, waiting (bounded: 30 s) for the agent thread to report it. */
    static JsonNode awaitFinding(AgentEndpoint agent, Predicate<JsonNode> filter) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = agent.report();
            List<JsonNode> found = AgentEndpoint.findings(last, filter);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no such finding in 30 s; last report:\n" + last);
    }

    static Predicate<JsonNode> exhausted(String pool) {
        return f -> f.path("kind").asText().equals("pool_exhausted") && f.path("details").path("pool").asText().equals(pool);
    }

    static Predicate<JsonNode> leakOf(String pool) {
        return f -> f.path("kind").asText().equals("connection_leak") && f.path("details").path("pool").asText().equals(pool);
    }

    static List<JsonNode> poolFindings(JsonNode report, String pool) {
        return AgentEndpoint.findings(report, f -> f.path("detector").asText().equals("pools")
                && f.path("details").path("pool").asText().equals(pool));
    }
}
