package io.jdiag.testapp.spring;

import static io.jdiag.testapp.harness.AgentEndpoint.findings;
import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static io.jdiag.testapp.harness.AgentEndpoint.stackContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The agent on a Spring Boot 4 application as users run it ({@code java -jar} on the repackaged jar,
 * Spring Boot's nested-jar class loader, Spring MVC and Jersey on Tomcat), started with
 * {@code -javaagent}. In order, on one JVM: healthy traffic under load and a GC yield no finding at all
 * (no library noise either); every request is counted under the template of the framework that
 * matched it, a 404 under no real route, an error page dispatch not twice; the faulty routes' findings
 * carry their templates; a leak with no frame of the application is {@code origin: library}, info,
 * listed last and counted apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpringBootServiceIT {
    static final int N = 20;
    static final String TOMCAT_GET = "server=\"tomcat\",method=\"GET\"";
    private ServiceProcess service;
    private AgentEndpoint agent;

    @BeforeAll
    void start() throws Exception {
        service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start();
        agent = AgentEndpoint.of(service);
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void healthyTrafficUnderLoadAndAGcYieldNoFinding() throws Exception {
        ExecutorService load = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int worker = t;
                done.add(load.submit(() -> {
                    for (int i = 0; i < N / 4; i++) {
                        int id = 1000 + worker * 100 + i;
                        expect("/health", 200);
                        expect("/orders/" + id, 200);
                        expect("/orders/" + id + "/lines/" + i, 200);
                        expect("/files/f" + id, 200);
                        expect("/fn/greetings/n" + id, 200);
                        expect("/jaxrs/items/" + id, 200);
                        expect("/clients/c" + id, 200);
                        expect("/orders/" + id + "/fail", 500);
                        expect("/no/such/page/" + id, 404);
                        expect("/jaxrs/no/such/item/" + id, 404);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            load.shutdownNow();
        }
        // Leaks are found once the collector found them unreachable: GC, give the agent's poll time, twice.
        for (int i = 0; i < 3; i++) {
            service.gc();
            Thread.sleep(700);
        }
        JsonNode report = agent.report();
        assertThat(report.path("findings")).as("findings of a healthy Spring Boot application:\n%s", report).isEmpty();
        assertThat(service.stderr()).doesNotContain("jdiag: could not instrument");
    }

    @Test
    @Order(2)
    void requestsAreCountedUnderTheTemplateOfTheFrameworkThatMatchedThem() throws Exception {
        String metrics = agent.metrics();
        AgentEndpoint.assertPrometheusText(metrics);
        // Spring MVC: class- and method-level @RequestMapping, method-level only, a functional route
        assertCount(metrics, "/health", 200, N + N); // the downstream of /clients/{name} too
        assertCount(metrics, "/orders/{id}", 200, N);
        assertCount(metrics, "/orders/{id}/lines/{line}", 200, N);
        assertCount(metrics, "/files/{name}", 200, N);
        assertCount(metrics, "/fn/greetings/{name}", 200, N);
        assertCount(metrics, "/clients/{name}", 200, N);
        // JAX-RS on Jersey: the servlet's prefix (/jaxrs) + class @Path + method @Path
        assertCount(metrics, "/jaxrs/items/{id}", 200, N);
        // an exception in the controller: one request, 500, under its template; the /error page dispatch is not another
        assertCount(metrics, "/orders/{id}/fail", 500, N);
        assertThat(metrics).doesNotContain("route=\"/error\"");
        // 404s: Spring's static-resource handler (/**) took them, Jersey matched nothing; never a real route
        assertCount(metrics, "/**", 404, N);
        assertCount(metrics, "unmatched", 404, N);
        List<String> routes = metrics.lines().filter(l -> l.startsWith("jdiag_http_server_requests_seconds_count"))
                .map(l -> l.replaceAll(".*route=\"([^\"]*)\".*", "$1")).distinct().toList();
        assertThat(routes).containsExactlyInAnyOrder("/health", "/orders/{id}", "/orders/{id}/lines/{line}",
                "/files/{name}", "/fn/greetings/{name}", "/clients/{name}", "/jaxrs/items/{id}", "/orders/{id}/fail",
                "/**", "unmatched");
        assertThat(sample(metrics, "jdiag_agent_instrumentation_errors_total")).isZero();
    }

    @Test
    @Order(3)
    void findingsOfTheFaultyRoutesCarryTheirTemplates() throws Exception {
        for (int i = 0; i < 5; i++) {
            expect("/files/f" + i + "/leak", 200);
            expect("/jaxrs/items/" + (500 + i) + "/leak", 200);
            expect("/clients/c" + i + "/no-timeout", 200);
        }
        JsonNode report = agent.awaitReport(service, r -> count(r, "FilesController.readWithoutClose") >= 5
                && count(r, "ItemsResource.jaxrsReadWithoutClose") >= 5 && count(r, "ClientsController.callWithoutTimeouts") >= 5);

        JsonNode mvcLeak = only(report, "FilesController.readWithoutClose");
        assertThat(mvcLeak.path("kind").asText()).isEqualTo("unclosed_resource");
        assertThat(mvcLeak.path("route").asText()).isEqualTo("GET /files/{name}/leak");
        assertThat(mvcLeak.path("summary").asText()).startsWith("FileInputStream opened in FilesController.readWithoutClose (GET /files/{name}/leak) was never closed");
        assertThat(mvcLeak.path("origin").asText()).isEqualTo("application");

        JsonNode jaxrsLeak = only(report, "ItemsResource.jaxrsReadWithoutClose");
        assertThat(jaxrsLeak.path("route").asText()).isEqualTo("GET /jaxrs/items/{id}/leak");
        assertThat(jaxrsLeak.path("origin").asText()).isEqualTo("application");

        JsonNode noTimeout = only(report, "ClientsController.callWithoutTimeouts");
        assertThat(noTimeout.path("kind").asText()).isEqualTo("missing_timeout");
        assertThat(noTimeout.path("route").asText()).isEqualTo("GET /clients/{name}/no-timeout");
        assertThat(noTimeout.path("severity").asText()).isEqualTo("warning");

        // nothing else: the healthy routes, Spring, Jersey, Tomcat and the nested-jar loader stay silent
        assertThat(report.path("findings")).hasSize(3);
    }

    @Test
    @Order(4)
    void aLeakWithNoFrameOfTheApplicationIsALibraryFindingListedLast() throws Exception {
        for (int i = 0; i < 3; i++) {
            expect("/internal/resource", 200);
        }
        JsonNode report = agent.awaitReport(service, r -> !findings(r, f -> f.path("origin").asText().equals("library")).isEmpty());
        List<JsonNode> all = findings(report, f -> true);
        JsonNode library = all.get(all.size() - 1);
        assertThat(library.path("origin").asText()).isEqualTo("library");
        assertThat(library.path("severity").asText()).isEqualTo("info");
        assertThat(library.path("summary").asText())
                .startsWith("FileChannel opened in FileSystemResource.getInputStream was never closed");
        assertThat(all.subList(0, all.size() - 1)).hasSize(3)
                .allSatisfy(f -> assertThat(f.path("origin").asText()).isEqualTo("application"));
        String metrics = agent.metrics();
        assertThat(sample(metrics, "jdiag_findings_total{detector=\"leaks\",kind=\"unclosed_resource\",origin=\"library\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "jdiag_findings_total{detector=\"leaks\",kind=\"unclosed_resource\",origin=\"application\"}"))
                .isGreaterThanOrEqualTo(10);
    }

    private void expect(String path, int status) {
        assertThat(service.get(path).status()).as(path).isEqualTo(status);
    }

    private static void assertCount(String metrics, String route, int status, double expected) {
        assertThat(sample(metrics, "jdiag_http_server_requests_seconds_count{" + TOMCAT_GET + ",route=\"" + route
                + "\",status=\"" + status + "\"}")).as(route + " " + status).isEqualTo(expected);
    }

    private static long count(JsonNode report, String method) {
        return findings(report, f -> stackContains(f, method)).stream().mapToLong(f -> f.path("count").asLong()).sum();
    }

    private static JsonNode only(JsonNode report, String method) {
        List<JsonNode> found = findings(report, f -> stackContains(f, method));
        assertThat(found).as("one grouped finding for " + method).hasSize(1);
        return found.get(0);
    }
}
