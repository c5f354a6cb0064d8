package io.jdiag.agent.detector.http;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Route templates: {@code GET /users/*}, never a raw path with ids. A servlet's mapping is used
 * when the container tells it (prefix mappings); otherwise the path is normalised (ids, UUIDs and
 * long hex or numeric segments become {@code *}). At most {@code maxRoutes} distinct routes per
 * table; beyond, everything new is {@code METHOD other}, so label cardinality stays bounded.
 */
final class RouteTemplates {
    static final String OTHER = "other";
    /** The route of a request a web framework took but matched to no handler (a 404 of the framework). */
    static final String UNMATCHED = "unmatched";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private final int maxRoutes;
    /** Raw key → canonical route string; the canonical strings are the only ones handed out, so they can be compared by identity. */
    private final ConcurrentHashMap<String, String> routes = new ConcurrentHashMap<>();

    RouteTemplates(int maxRoutes) {
        this.maxRoutes = maxRoutes;
    }

    /**
     * For a servlet: its mapping pattern when known ({@code /files/*}, {@code *.jsp}, {@code /} for
     * the default servlet); otherwise a prefix mapping from servlet path + path info, or else the
     * normalised path.
     */
    String servlet(String method, String contextPath, String mappingPattern, String servletPath, String pathInfo) {
        String ctx = contextPath == null ? "" : contextPath;
        String template;
        if (mappingPattern != null) {
            template = ctx + (mappingPattern.isEmpty() ? "/" : mappingPattern.startsWith("*.") ? "/" + mappingPattern : mappingPattern);
        } else {
            String sp = servletPath == null ? "" : servletPath;
            template = pathInfo != null ? ctx + sp + "/*" : ctx + (sp.isEmpty() ? "/" : normalize(sp));
        }
        return bound(method, template);
    }

    /**
     * What a web framework's templates are relative to in a servlet: the context path, plus the
     * servlet's prefix for a prefix mapping ({@code /api/*} → {@code /ctx/api}); the context path alone
     * for the default ({@code /}), an extension or an exact mapping.
     */
    static String servletBase(String contextPath, String mappingPattern, String servletPath, String pathInfo) {
        String ctx = contextPath == null ? "" : contextPath;
        if (mappingPattern != null) {
            return mappingPattern.endsWith("/*") ? ctx + mappingPattern.substring(0, mappingPattern.length() - 2) : ctx;
        }
        return pathInfo != null && servletPath != null ? ctx + servletPath : ctx;
    }

    /**
     * For a web framework's template ({@code /orders/{id}}, {@code /items/{id: [0-9]+}}, {@code /**})
     * under {@code base}: slashes made single, no trailing slash but on the root. A null template is
     * the framework's unmatched request: {@code METHOD unmatched}.
     */
    String framework(String method, String base, String template) {
        if (template == null) {
            return bound(method, UNMATCHED);
        }
        String joined = (base == null ? "" : base) + (template.startsWith("/") || template.isEmpty() ? "" : "/") + template;
        StringBuilder out = new StringBuilder(joined.length());
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c != '/' || out.length() == 0 || out.charAt(out.length() - 1) != '/') {
                out.append(c);
            }
        }
        if (out.length() > 1 && out.charAt(out.length() - 1) == '/') {
            out.setLength(out.length() - 1);
        }
        if (out.length() == 0) {
            out.append('/');
        }
        return bound(method, out.toString());
    }

    /** For a raw request URI (Netty): query dropped, path normalised. */
    String uri(String method, String uri) {
        String path = uri == null ? "/" : uri;
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.startsWith("http://") || path.startsWith("https://")) { // absolute-form request target
            int slash = path.indexOf('/', path.indexOf("//") + 2);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        return bound(method, normalize(path));
    }

    private String bound(String method, String template) {
        String m = method == null ? "OTHER" : method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            m = "OTHER";
        }
        String key = m + " " + template;
        String known = routes.get(key);
        if (known != null) {
            return known;
        }
        if (routes.size() >= maxRoutes) {
            String other = m + " " + OTHER;
            return routes.computeIfAbsent(other, k -> k);
        }
        return routes.computeIfAbsent(key, k -> k);
    }

    static String normalize(String path) {
        if (path.isEmpty() || path.equals("/")) {
            return "/";
        }
        StringBuilder out = new StringBuilder(path.length());
        int start = path.charAt(0) == '/' ? 1 : 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            out.append('/');
            if (isIdSegment(path, start, end)) {
                out.append('*');
            } else {
                out.append(path, start, end);
            }
            start = end + 1;
            if (end == path.length()) {
                break;
            }
        }
        return out.toString();
    }

    /**
     * Whether {@code path[from, to)} is an id rather than a name: all digits; a UUID; 16 or more hex
     * digits; three or more digits anywhere; or longer than 40 characters. Plain character checks,
     * no regex and no allocation: this runs for every Netty request on its event loop.
     */
    static boolean isIdSegment(String path, int from, int to) {
        int length = to - from;
        if (length == 0) {
            return false;
        }
        if (length > 40) {
            return true;
        }
        int digits = 0;
        boolean allHex = true;
        for (int i = from; i < to; i++) {
            char c = path.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (!((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                allHex = false;
            }
        }
        return digits == length || digits >= 3 || (allHex && length >= 16) || isUuid(path, from, length);
    }

    private static boolean isUuid(String path, int from, int length) {
        if (length != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = path.charAt(from + i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** {@code GET /files/*} → {@code /files/*}: the metric's route label (the method has its own label). */
    static String template(String route) {
        int space = route.indexOf(' ');
        return space < 0 ? route : route.substring(space + 1);
    }

    static String method(String route) {
        int space = route.indexOf(' ');
        return space < 0 ? "OTHER" : route.substring(0, space);
    }
}
