package io.jdiag.testapp.buffering;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.net.URI;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Netty's {@code HttpObjectAggregator} (the test service's Netty pipeline aggregates up to 1 MiB) with
 * {@code buffering.threshold=512KiB}: a 900 KiB body aggregated on the event loop is a finding of the
 * route in flight; a 10 KiB one is only measured.
 */
class NettyAggregatorIT {
    private static ServiceProcess service;
    private static AgentEndpoint agent;

    @BeforeAll
    static void start() throws Exception {
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0,buffering.threshold=512KiB")
                .serviceArgs("--netty-port", "0").start();
        agent = AgentEndpoint.of(service);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aLargeAggregatedBodyIsAFindingOfTheRouteInFlight() throws Exception {
        Matcher m = Pattern.compile("netty listening on port (\\d+)").matcher(service.stdout());
        assertThat(m.find()).isTrue();
        URI netty = URI.create("http://127.0.0.1:" + m.group(1) + "/");
        for (int i = 0; i < 2; i++) {
            assertThat(Uploads.post(netty, "/hello", 900 << 10).body()).isEqualTo("hello");
            assertThat(Uploads.post(netty, "/hello", 10 << 10).body()).isEqualTo("hello");
        }
        JsonNode report = agent.awaitReport(service,
                r -> findings(r, f -> f.path("resource").path("type").asText().equals("netty_aggregator")).size() == 1);
        JsonNode f = findings(report, x -> x.path("resource").path("type").asText().equals("netty_aggregator")).get(0);
        assertThat(f.path("route").asText()).isEqualTo("POST /hello");
        assertThat(f.path("count").asLong()).isEqualTo(2);
        assertThat(f.path("summary").asText())
                .startsWith("HttpObjectAggregator (maxContentLength 1.0 MiB) held a 900.0 KiB body in memory in POST /hello");
        assertThat(f.path("origin").asText()).as("the application chose to aggregate").isEqualTo("application");
        assertThat(f.path("severity").asText()).isEqualTo("warning");
        assertThat(f.path("details").path("maxContentLength").asLong()).isEqualTo(1 << 20);
        assertThat(f.path("stack").toString()).contains("io.netty.handler.codec.http.HttpObjectAggregator.finishAggregation");
        List<JsonNode> buffering = findings(report, x -> x.path("detector").asText().equals("buffering"));
        assertThat(buffering).as("nothing else: the Jetty side is idle").hasSize(1);

        String metrics = agent.metrics();
        assertThat(sample(metrics, "jdiag_buffering_large_total{source=\"netty_aggregator\"}")).isEqualTo(2);
        assertThat(sample(metrics, "jdiag_buffering_bytes_count{source=\"netty_aggregator\"}")).isEqualTo(4);
        assertThat(sample(metrics, "jdiag_buffering_bytes_sum{source=\"netty_aggregator\"}")).isEqualTo(2.0 * (910 << 10));
    }
}
