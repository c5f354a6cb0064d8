package io.jdiag.testapp;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.List;

/** {@code GET /}: plain-text list of all endpoints, one per line. */
final class IndexServlet extends HttpServlet {

    /** The empty pattern is the Servlet spec's exact match for the context root, i.e. only "/". */
    static final String MAPPING = "";

    private final List<Endpoint> endpoints;

    IndexServlet(List<Endpoint> endpoints) {
        this.endpoints = List.copyOf(endpoints);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int width = endpoints.stream().mapToInt(e -> e.path().length()).max().orElse(0);
        StringBuilder body = new StringBuilder("jdiag-test-service endpoints (all GET):\n");
        for (Endpoint e : endpoints) {
            body.append(String.format("  %-" + width + "s  %s\n", e.path(), e.description()));
        }
        RoutedServlet.sendText(resp, HttpServletResponse.SC_OK, body.toString());
    }
}
