package io.jdiag.testapp.tomcat;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** {@code GET /health} under an exact mapping: liveness probe, always {@code 200 ok}. */
final class HealthServlet extends HttpServlet {
    static final String MAPPING = "/health";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Responses.text(resp, HttpServletResponse.SC_OK, "ok");
    }
}
