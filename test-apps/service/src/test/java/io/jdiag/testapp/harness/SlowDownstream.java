package io.jdiag.testapp.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The downstream the test service's {@code /clients/*} endpoints call: a JDK HTTP server on
 * {@code 127.0.0.1} (loopback only), run by the test, not by the service.
 *
 * <p>{@code GET /slow?ms=<n>} waits {@code n} ms (at most 5000; 0 by default) and answers 200 with a
 * {@value #BODY_BYTES}-byte body and a {@code Content-Length}, over keep-alive connections: a body big
 * enough that a client reading only its first bytes keeps the connection busy, small enough to sit in
 * socket buffers so the server never waits for a client that leaks its response.
 */
public final class SlowDownstream implements AutoCloseable {
    public static final int BODY_BYTES = 4096;
    private static final int MAX_DELAY_MS = 5_000;

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong requests = new AtomicLong();

    private SlowDownstream(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts on a free loopback port. */
    public static SlowDownstream start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "slow-downstream-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SlowDownstream downstream = new SlowDownstream(server, executor);
        byte[] body = new byte[BODY_BYTES];
        Arrays.fill(body, (byte) 'x');
        server.createContext("/slow", exchange -> downstream.answer(exchange, body));
        server.setExecutor(executor);
        server.start();
        return downstream;
    }

    private void answer(HttpExchange exchange, byte[] body) throws IOException {
        try {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            long delay = delayMillis(exchange.getRequestURI().getRawQuery());
            if (delay > 0) {
                Thread.sleep(delay);
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private static long delayMillis(String query) {
        if (query == null) {
            return 0;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("ms=")) {
                try {
                    return Math.max(0, Math.min(MAX_DELAY_MS, Long.parseLong(pair.substring(3))));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The {@code host} label the agent gives this downstream. */
    public String hostLabel() {
        return "127.0.0.1:" + port();
    }

    /** Requests answered so far (counted as they arrive). */
    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
