package io.jdiag.agent.export;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jdiag.agent.report.Report;
import io.jdiag.bootstrap.AgentThread;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's HTTP endpoint: {@code /metrics} (Prometheus simpleclient's server, which also
 * negotiates OpenMetrics), {@code /report}, {@code /report?format=text} and {@code /healthz}.
 * Its threads are {@link AgentThread}s, so its own sockets and work never become findings.
 */
public final class Endpoint implements AutoCloseable {
    private final HTTPServer server;
    private final ExecutorService executor;
    private final int port;

    private Endpoint(HTTPServer server, ExecutorService executor, int port) {
        this.server = server;
        this.executor = executor;
        this.port = port;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (port taken, unknown host)
     */
    public static Endpoint start(String host, int port, String user, File passwordFile,
                                 CollectorRegistry registry, Report report) throws IOException {
        BasicAuthenticator auth = null;
        if (user != null && passwordFile != null) {
            List<String> lines = Files.readAllLines(passwordFile.toPath(), StandardCharsets.UTF_8);
            byte[] expected = (lines.isEmpty() ? "" : lines.get(0).trim()).getBytes(StandardCharsets.UTF_8);
            auth = new BasicAuthenticator("jdiag") {
                @Override
                public boolean checkCredentials(String u, String p) {
                    // constant-time compare: the endpoint may be reachable by others on the host
                    return user.equals(u) && MessageDigest.isEqual(expected, p.getBytes(StandardCharsets.UTF_8));
                }
            };
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2,
                r -> new AgentThread(r, "jdiag-http-" + n.incrementAndGet()));
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
        try {
            http.createContext("/report", exchange -> serveReport(exchange, report)).setAuthenticator(auth);
            http.createContext("/healthz", exchange -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n"))
                    .setAuthenticator(auth);
            http.setExecutor(executor);
            HTTPServer.Builder builder = new HTTPServer.Builder()
                    .withHttpServer(http)
                    .withRegistry(registry)
                    // The JDK server's dispatcher thread inherits daemon status from the thread that
                    // starts it; simpleclient starts it from a non-daemon thread unless told, and a
                    // non-daemon dispatcher would keep the JVM alive after the application's main returns.
                    .withDaemonThreads(true);
            if (auth != null) {
                builder.withAuthenticator(auth);
            }
            HTTPServer server = builder.build();
            return new Endpoint(server, executor, http.getAddress().getPort());
        } catch (IOException | RuntimeException e) {
            http.stop(0);
            executor.shutdownNow();
            throw e;
        }
    }

    private static void serveReport(HttpExchange exchange, Report report) throws IOException {
        try {
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null && query.contains("format=text")) {
                send(exchange, 200, "text/plain; charset=utf-8", report.text());
            } else {
                send(exchange, 200, "application/json", report.json());
            }
        } catch (RuntimeException e) {
            send(exchange, 500, "text/plain; charset=utf-8", "report failed: " + e + "\n");
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        try {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } finally {
            exchange.close();
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
    }
}
