package io.jdiag.testapp.spring;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hot attach to a running Spring Boot application whose Spring MVC, Jersey and Tomcat classes were
 * all loaded (and served traffic) before the agent came: after {@code jdiag attach}, requests are
 * counted under their templates and a leak carries its template route; the healthy routes stay
 * silent; {@code jdiag detach} leaves the application serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringBootAttachIT {
    private static final Pattern ATTACHED = Pattern.compile("attached to (\\d+), endpoint (http://\\S+/)\\n");
    private ServiceProcess service;

    @BeforeAll
    void startWithoutAgent() throws Exception {
        service = ServiceProcess.builder().start();
        for (int i = 0; i < 3; i++) { // every framework class loaded before the agent
            assertThat(service.get("/orders/" + i).status()).isEqualTo(200);
            assertThat(service.get("/jaxrs/items/" + i).status()).isEqualTo(200);
            assertThat(service.get("/files/f" + i + "/leak").status()).isEqualTo(200);
        }
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void afterAttachRequestsAndFindingsCarryTheFrameworksTemplates() throws Exception {
        String pid = Long.toString(service.pid());
        Cli.Result attach = Cli.run("attach", pid, "http.port=0");
        assertThat(attach.exitCode()).as(attach.toString()).isZero();
        Matcher m = ATTACHED.matcher(attach.stdout());
        assertThat(m.matches()).as(attach.toString()).isTrue();

        for (int i = 0; i < 5; i++) {
            assertThat(service.get("/orders/" + (700 + i)).status()).isEqualTo(200);
            assertThat(service.get("/jaxrs/items/" + (700 + i)).status()).isEqualTo(200);
            assertThat(service.get("/fn/greetings/g" + i).status()).isEqualTo(200);
            assertThat(service.get("/files/f" + i + "/leak").status()).isEqualTo(200);
        }
        AgentEndpoint agent = AgentEndpoint.of(service);
        JsonNode report = agent.awaitReport(service, r -> findings(r, f -> stackContains(f, "FilesController.readWithoutClose"))
                .stream().mapToLong(f -> f.path("count").asLong()).sum() >= 5);
        List<JsonNode> leaks = findings(report, f -> stackContains(f, "FilesController.readWithoutClose"));
        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0).path("route").asText()).isEqualTo("GET /files/{name}/leak");
        assertThat(report.path("agent").path("mode").asText()).isEqualTo("attach");
        assertThat(report.path("findings")).as("only the leak: %s", report).hasSize(1);

        String metrics = agent.metrics();
        for (String route : new String[] {"/orders/{id}", "/jaxrs/items/{id}", "/fn/greetings/{name}", "/files/{name}/leak"}) {
            assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{server=\"tomcat\",method=\"GET\",route=\""
                    + route + "\",status=\"200\"}")).as(route).isEqualTo(5);
        }
        assertThat(metrics).doesNotContain("route=\"/\"");

        Cli.Result detach = Cli.run("detach", pid);
        assertThat(detach.exitCode()).as(detach.toString()).isZero();
        assertThat(service.get("/orders/1")).isEqualTo(new ServiceProcess.Response(200, "order 1"));
        assertThat(service.get("/jaxrs/items/1")).isEqualTo(new ServiceProcess.Response(200, "item 1"));
    }
}
