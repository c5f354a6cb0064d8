package io.jdiag.testapp.http;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Netty HTTP pipelines (HttpServerCodec + aggregator): request metrics and route attribution on the event loop. */
class NettyServerIT {
    static final int N = 5;

    @Test
    void nettyRequestsAreTimedAndFindingsOnTheEventLoopCarryTheRoute() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0")
                .serviceArgs("--netty-port", "0")
                .start()) {
            Matcher m = Pattern.compile("netty listening on port (\\d+)").matcher(service.stdout());
            assertThat(m.find()).as(service.stdout()).isTrue();
            URI netty = URI.create("http://127.0.0.1:" + m.group(1));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < N; i++) {
                for (String path : new String[] {"/hello", "/users/" + (4711 + i), "/netty/leak", "/missing"}) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(netty.resolve(path))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(path).isEqualTo(path.equals("/missing") ? 404 : 200);
                }
            }
            AgentEndpoint agent = AgentEndpoint.of(service);
            JsonNode report = agent.awaitReport(service, r -> findings(r, f -> stackContains(f, "nettyReadWithoutClose"))
                    .stream().anyMatch(f -> f.path("count").asLong() >= N));
            JsonNode leak = findings(report, f -> stackContains(f, "NettyService$Handler.nettyReadWithoutClose")).get(0);
            assertThat(leak.path("route").asText()).isEqualTo("GET /netty/leak");
            assertThat(leak.path("thread").asText()).contains("EventLoopGroup");

            String metrics = agent.metrics();
            AgentEndpoint.assertPrometheusText(metrics);
            assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"netty\",method=\"GET\",route=\"/hello\",status=\"200\"}"))
                    .isEqualTo(N);
            assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"netty\",method=\"GET\",route=\"/users/*\",status=\"200\"}"))
                    .isEqualTo(N);
            assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"netty\",method=\"GET\",route=\"/missing\",status=\"404\"}"))
                    .isEqualTo(N);
            assertThat(metrics).doesNotContain("4711");
            assertThat(sample(metrics, "jdiag_http_server_requests_active{server=\"netty\"}")).isZero();
        }
    }
}
