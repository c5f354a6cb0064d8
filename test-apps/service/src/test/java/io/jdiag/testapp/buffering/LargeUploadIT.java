package io.jdiag.testapp.buffering;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent itself never buffers what it watches: a 200 MiB upload streamed to a file by a service
 * with a 128 MiB heap completes with the agent attached, is measured by no whole-read metric and yields
 * no finding, and the service answers normally afterwards.
 */
class LargeUploadIT {
    static final long BYTES = 200L << 20;
    private static ServiceProcess service;
    private static AgentEndpoint agent;

    @BeforeAll
    static void start() throws Exception {
        service = ServiceProcess.builder().jvmArgs("-Xmx128m").javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void a200MibUploadStreamsThroughA128MibHeap() {
        ServiceProcess.Response r = Uploads.post(service, "/upload/stream", BYTES);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("stored " + BYTES + " bytes");
        assertThat(service.isAlive()).isTrue();
        assertThat(service.stderr()).doesNotContain("OutOfMemoryError");
        assertThat(service.get("/health").body()).isEqualTo("ok");

        String metrics = agent.metrics();
        assertThat(sample(metrics, "jdiag_buffering_large_total{source=\"servlet_request\"}")).isZero();
        assertThat(sample(metrics, "jdiag_buffering_bytes_count{source=\"servlet_request\"}")).isZero();
        assertThat(sample(metrics, "jdiag_agent_detector_up{detector=\"buffering\"}")).isEqualTo(1);
        assertThat(findings(agent.report(), f -> f.path("detector").asText().equals("buffering"))).isEmpty();
    }
}
