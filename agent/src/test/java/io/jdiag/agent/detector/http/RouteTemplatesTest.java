package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTemplatesTest {
    private final RouteTemplates routes = new RouteTemplates(100);

    @Test
    void servletMappingsBecomeTemplates() {
        assertThat(routes.servlet("GET", "", "/files/*", "/files", "/leak")).isEqualTo("GET /files/*");
        assertThat(routes.servlet("GET", "/shop", "/files/*", "/files", "/leak")).isEqualTo("GET /shop/files/*");
        assertThat(routes.servlet("POST", "", "/health", "/health", null)).isEqualTo("POST /health");
        assertThat(routes.servlet("GET", "", "/", "/users/42", null)).isEqualTo("GET /");
        assertThat(routes.servlet("GET", "", "*.jsp", "/a/b.jsp", null)).isEqualTo("GET /*.jsp");
        assertThat(routes.servlet("GET", "/ctx", "", "", null)).isEqualTo("GET /ctx/");
    }

    @Test
    void withoutTheMappingApiPrefixMappingsAndNormalisedPathsAreUsed() {
        assertThat(routes.servlet("GET", "", null, "/files", "/leak/7")).isEqualTo("GET /files/*");
        assertThat(routes.servlet("GET", "", null, "/users/12345", null)).isEqualTo("GET /users/*");
        assertThat(routes.servlet("GET", "", null, "", null)).isEqualTo("GET /");
    }

    @Test
    void rawPathsLoseIdsAndQueries() {
        assertThat(routes.uri("GET", "/users/123?x=1")).isEqualTo("GET /users/*");
        assertThat(routes.uri("GET", "/orders/550e8400-e29b-41d4-a716-446655440000/items")).isEqualTo("GET /orders/*/items");
        assertThat(routes.uri("GET", "/blobs/deadbeefdeadbeefcafe")).isEqualTo("GET /blobs/*");
        assertThat(routes.uri("GET", "/v1/hello")).isEqualTo("GET /v1/hello");
        assertThat(routes.uri("GET", "http://example.org:8080/a/1?q")).isEqualTo("GET /a/*");
        assertThat(routes.uri("GET", "/")).isEqualTo("GET /");
        assertThat(routes.uri("brew", "/pot")).isEqualTo("OTHER /pot");
    }

    @Test
    void cardinalityIsBounded() {
        RouteTemplates small = new RouteTemplates(3);
        small.uri("GET", "/a");
        small.uri("GET", "/b");
        small.uri("GET", "/c");
        assertThat(small.uri("GET", "/d")).isEqualTo("GET other");
        assertThat(small.uri("GET", "/a")).isEqualTo("GET /a");
        // the same route is the same String instance: cheap to compare, nothing retained per request
        assertThat(small.uri("GET", "/a")).isSameAs(small.uri("GET", "/a?x"));
    }

    @Test
    void templateAndMethodSplit() {
        assertThat(RouteTemplates.template("GET /files/*")).isEqualTo("/files/*");
        assertThat(RouteTemplates.method("GET /files/*")).isEqualTo("GET");
    }

    @Test
    void frameworkTemplatesAreRelativeToTheServletsPrefixMapping() {
        assertThat(RouteTemplates.servletBase("", "/", "/orders/5", null)).isEmpty();
        assertThat(RouteTemplates.servletBase("/shop", "/jaxrs/*", "/jaxrs", "/items/5")).isEqualTo("/shop/jaxrs");
        assertThat(RouteTemplates.servletBase("/shop", "*.do", "/a.do", null)).isEqualTo("/shop");
        // Servlet 3 (no mapping in the API): a path info means a prefix mapping
        assertThat(RouteTemplates.servletBase("", null, "/api", "/items/5")).isEqualTo("/api");
        assertThat(RouteTemplates.servletBase("", null, "/orders/5", null)).isEmpty();
    }

    @Test
    void frameworkTemplatesAreJoinedWithSingleSlashes() {
        assertThat(routes.framework("GET", "", "/orders/{id}")).isEqualTo("GET /orders/{id}");
        assertThat(routes.framework("GET", "/jaxrs", "/items/{id}")).isEqualTo("GET /jaxrs/items/{id}");
        assertThat(routes.framework("GET", "/jaxrs/", "items/{id}/")).isEqualTo("GET /jaxrs/items/{id}");
        assertThat(routes.framework("POST", "", "/")).isEqualTo("POST /");
        assertThat(routes.framework("GET", "", "")).isEqualTo("GET /");
        assertThat(routes.framework("GET", "", "/**")).isEqualTo("GET /**");
        assertThat(routes.framework("DELETE", "/api", null)).isEqualTo("DELETE unmatched");
    }

    /** The hand-written id check says what the regular expression it replaced (11% of a Netty loop's time) said. */
    @Test
    void idSegmentsAreRecognisedAsTheRegexDid() {
        java.util.regex.Pattern regex = java.util.regex.Pattern.compile(
                "[0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,}"
                        + "|.*[0-9].*[0-9].*[0-9].*|.{41,}");
        for (String segment : List.of("1", "42", "12345", "users", "v2", "v12", "a1b2c3", "abc", "deadbeef",
                "deadbeefdeadbeef", "DEADBEEFDEADBEEF0", "abcdefab-cdef-abcd-efab-cdefabcdefab",
                "123e4567-e89b-12d3-a456-426614174000", "abcdefab-cdef-abcd-efab-cdefabcdefa", "x".repeat(40),
                "x".repeat(41), "files", "report.txt", "item-7", "2024-01-02", "ff", "ABCDEFabcdef0123")) {
            String path = "/p/" + segment + "/q";
            assertThat(RouteTemplates.isIdSegment(path, 3, 3 + segment.length())).as(segment)
                    .isEqualTo(regex.matcher(segment).matches());
        }
    }
}
