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

    private static ServiceProcess startWithNetty() throws java.io.IOException {
        return ServiceProcess.builder()
                .javaAgent(Paths.agentJar(), "http.port=0")
                .serviceArgs("--netty-port", "0")
                .start();
    }

    /** The port of the service's Netty server, from its {@code netty listening on port} line. */
    private static int nettyPort(ServiceProcess service) {
        Matcher m = Pattern.compile("netty listening on port (\\d+)").matcher(service.stdout());
        assertThat(m.find()).as(service.stdout()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void nettyRequestsAreTimedAndFindingsOnTheEventLoopCarryTheRoute() throws Exception {
        try (ServiceProcess service = startWithNetty()) {
            URI netty = URI.create("http://127.0.0.1:" + nettyPort(service));
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

    /**
     * Clients that go away mid-request (a body cut short, a response still being computed) and HTTP/1.1
     * pipelining, under concurrent load: every request ends exactly once, on its own route, and the
     * active gauge returns to zero.
     */
    @Test
    void inFlightAccountingIsExactWithAbruptClosesAndPipelining() throws Exception {
        try (ServiceProcess service = startWithNetty()) {
            int port = nettyPort(service);
            int clients = 8;
            int rounds = 25;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    done.add(pool.submit(() -> {
                        for (int r = 0; r < rounds; r++) {
                            // three pipelined requests in one write, answered in order on one connection
                            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                                s.setSoTimeout(10_000);
                                s.getOutputStream().write(("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                                        + "GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                                        + "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                                String responses = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                                assertThat(responses.split("HTTP/1.1 200 OK", -1)).as(responses).hasSize(4);
                            }
                            // a body cut short: the head is decoded, the rest never comes
                            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                                s.getOutputStream().write("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial"
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                                s.getOutputStream().flush();
                            }
                            // a response still being computed off the loop when the client leaves
                            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                                s.getOutputStream().write("GET /offload?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n"
                                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                                s.getOutputStream().flush();
                            }
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(2, java.util.concurrent.TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            AgentEndpoint agent = AgentEndpoint.of(service);
            int n = clients * rounds;
            String metrics = agent.metrics();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (sample(metrics, "jdiag_http_server_requests_active{server=\"netty\"}") != 0 && System.nanoTime() < deadline) {
                Thread.sleep(200); // the server notices the last closes and the offloaded responses finish
                metrics = agent.metrics();
            }
            assertThat(sample(metrics, "jdiag_http_server_requests_active{server=\"netty\"}")).as(metrics).isZero();
            assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"netty\",method=\"GET\",route=\"/hello\",status=\"200\"}"))
                    .as("two per pipelined connection, each once").isEqualTo(2 * n);
            assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"netty\",method=\"GET\",route=\"/users/*\",status=\"200\"}"))
                    .as("the middle request on its own route").isEqualTo(n);
            assertThat(metrics).as("a request cut short has no response and no status")
                    .doesNotContain("jdiag_http_server_requests_seconds_count{server=\"netty\",method=\"POST\"");
        }
    }
}
