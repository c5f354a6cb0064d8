package io.jdiag.testapp;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/** {@code GET /health}: liveness probe, always {@code 200 ok}. */
final class HealthServlet extends HttpServlet {

    static final String MAPPING = "/health";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        RoutedServlet.sendText(resp, HttpServletResponse.SC_OK, "ok");
    }
}
