package io.jdiag.testapp;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base class for the per-failure-mode servlets.
 *
 * <p>Each subclass is mapped to one prefix pattern such as {@code /files/*} and routes the path info
 * ({@code /leak}, {@code /read}, ...) to a handler method. One servlet per failure mode (rather than one
 * servlet per endpoint, or one for everything) matters because the agent attributes findings to the
 * servlet mapping pattern of the request that caused them, e.g. "leaks opened under /files/*".
 */
abstract class RoutedServlet extends HttpServlet {

    /** A handler for one sub-path; usually a method reference to a method of the subclass. */
    @FunctionalInterface
    protected interface Handler {
        void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException;
    }

    private record Route(String description, Handler handler) {
    }

    private final String mapping;
    private final String prefix;
    private final Map<String, Route> routes = new LinkedHashMap<>();

    /** @param mapping a servlet prefix mapping, e.g. {@code /files/*} */
    protected RoutedServlet(String mapping) {
        if (!mapping.startsWith("/") || !mapping.endsWith("/*")) {
            throw new IllegalArgumentException("expected a prefix mapping like /name/*: " + mapping);
        }
        this.mapping = mapping;
        this.prefix = mapping.substring(0, mapping.length() - 2);
    }

    /** The servlet mapping pattern this servlet must be registered under. */
    final String mapping() {
        return mapping;
    }

    /** The endpoints served, with full paths, in registration order. */
    final List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        routes.forEach((subPath, route) -> list.add(new Endpoint(prefix + subPath, route.description())));
        return Collections.unmodifiableList(list);
    }

    /** Registers a GET handler for {@code subPath} (e.g. {@code /leak}); call from the subclass constructor. */
    protected final void get(String subPath, String description, Handler handler) {
        if (routes.putIfAbsent(subPath, new Route(description, handler)) != null) {
            throw new IllegalStateException("duplicate route " + prefix + subPath);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Route route = routes.get(req.getPathInfo());
        if (route == null) {
            sendText(resp, HttpServletResponse.SC_NOT_FOUND, "no such endpoint: " + req.getRequestURI());
            return;
        }
        route.handler().handle(req, resp);
    }

    /** Writes a plain-text response. The body is sent exactly as given (tests compare it verbatim). */
    static void sendText(HttpServletResponse resp, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/plain;charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /** Query parameter {@code name}, or {@code defaultValue} when absent or empty. */
    static String param(HttpServletRequest req, String name, String defaultValue) {
        String value = req.getParameter(name);
        return value == null || value.isEmpty() ? defaultValue : value;
    }
}
