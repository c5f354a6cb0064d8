package io.jdiag.testapp.tomcat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** Small helpers shared by the servlets. */
final class Responses {
    private Responses() {
    }

    /** Writes a plain-text response, the body exactly as given. */
    static void text(HttpServletResponse resp, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /** Query parameter {@code ms}, clamped to [0, max]; {@code defaultMs} when absent or not a number. */
    static long millis(HttpServletRequest req, long defaultMs, long max) {
        String value = req.getParameter("ms");
        try {
            return value == null ? defaultMs : Math.max(0, Math.min(max, Long.parseLong(value)));
        } catch (NumberFormatException e) {
            return defaultMs;
        }
    }
}
