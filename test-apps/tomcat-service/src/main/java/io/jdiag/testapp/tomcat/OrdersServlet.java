package io.jdiag.testapp.tomcat;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * {@code GET /orders/<id>} under the prefix mapping {@code /orders/*}: the raw path holds an id, the
 * route the agent reports must be the mapping. Answers {@code 200 order <id>} for a numeric id, else 404.
 */
final class OrdersServlet extends HttpServlet {
    static final String MAPPING = "/orders/*";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        String id = path == null ? "" : path.substring(1);
        if (id.matches("[0-9]{1,18}")) {
            Responses.text(resp, HttpServletResponse.SC_OK, "order " + id);
        } else {
            Responses.text(resp, HttpServletResponse.SC_NOT_FOUND, "no such order");
        }
    }
}
