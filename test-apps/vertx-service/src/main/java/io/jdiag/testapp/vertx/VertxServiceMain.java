package io.jdiag.testapp.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A Vert.x core HTTP server (no web framework): {@code java -jar jdiag-test-vertx-service.jar [--port N]}.
 * Handlers run on Vert.x event-loop threads ({@code vert.x-eventloop-thread-N}).
 * <ul>
 *   <li>{@code GET /ok}: answers at once (healthy)</li>
 *   <li>{@code GET /sleep?ms=N}: {@code Thread.sleep} on the event loop</li>
 *   <li>{@code GET /cpu?ms=N}: N ms of busy computation on the event loop</li>
 *   <li>{@code GET /offload?ms=N}: the same sleep in {@code executeBlocking}, on a worker thread</li>
 * </ul>
 * Once listening it prints {@value #LISTENING_PREFIX}{@code <port>} to stdout, as the test harness expects.
 */
@Command(name = "jdiag-test-vertx-service", mixinStandardHelpOptions = true, version = "jdiag-test-vertx-service 0.1.0",
        description = "Vert.x service that blocks its event loops, and offloads correctly.")
public final class VertxServiceMain implements Callable<Integer> {
    public static final String LISTENING_PREFIX = "jdiag-test-vertx-service listening on port ";

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    public static void main(String[] args) {
        int rc = new CommandLine(new VertxServiceMain()).execute(args);
        if (rc != 0) {
            System.exit(rc);
        }
    }

    @Override
    public Integer call() throws Exception {
        // Two event loops, and workers enough for 50 offloaded waits at once.
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(64));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("jdiag-test-vertx-service: closing Vert.x: " + e);
            }
        }, "vertx-shutdown"));
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> route(vertx, request))
                .listen(port, host)
                .await(30, TimeUnit.SECONDS);
        System.out.println(LISTENING_PREFIX + server.actualPort());
        System.out.flush();
        return 0;
    }

    /** On an event loop. */
    private static void route(Vertx vertx, HttpServerRequest request) {
        long ms = millis(request.getParam("ms"));
        try {
            switch (request.path()) {
                case "/ok":
                    request.response().end("ok");
                    break;
                case "/sleep":
                    sleepOnEventLoop(ms);
                    request.response().end("slept " + ms + " ms on " + Thread.currentThread().getName());
                    break;
                case "/cpu":
                    request.response().end("computed " + burnCpuOnEventLoop(ms));
                    break;
                case "/offload":
                    offloadWithExecuteBlocking(vertx, request, ms);
                    break;
                default:
                    request.response().setStatusCode(404).end("no such endpoint: " + request.path());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.response().setStatusCode(500).end("interrupted");
        }
    }

    /** Deliberately wrong: the event loop, and every connection on it, waits. */
    private static void sleepOnEventLoop(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    /** Deliberately wrong: CPU-heavy work on the event loop. */
    private static long burnCpuOnEventLoop(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long x = 1;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 1000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        return x;
    }

    /** Correct: the wait runs on a worker thread (unordered, so waits of one loop overlap); the loop answers when it ends. */
    private static void offloadWithExecuteBlocking(Vertx vertx, HttpServerRequest request, long ms) {
        vertx.<String>executeBlocking(() -> {
            Thread.sleep(ms);
            return Thread.currentThread().getName();
        }, false).onComplete(done -> {
            if (done.succeeded()) {
                request.response().end("slept " + ms + " ms off the loop on " + done.result());
            } else {
                request.response().setStatusCode(500).end(String.valueOf(done.cause()));
            }
        });
    }

    private static long millis(String value) {
        try {
            return value == null ? 100 : Math.max(0, Math.min(60_000, Long.parseLong(value)));
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
