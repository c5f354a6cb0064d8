package io.jdiag.testapp;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Slow endpoints: a worker blocked in {@code Thread.sleep} (what saturates a worker pool under
 * load) and an async request that completes later without holding a worker.
 */
final class SlowServlet extends RoutedServlet {
    static final String MAPPING = "/slow/*";
    private static final int MAX_MS = 30_000;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slow-async-timer");
        t.setDaemon(true);
        return t;
    });

    SlowServlet() {
        super(MAPPING);
        get("/sleep", "holds a worker thread for ?ms=N milliseconds (default 1000)", this::sleep);
        get("/async", "async request completed after ?ms=N milliseconds without holding a worker", this::async);
    }

    private void sleep(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long ms = millis(req);
        sleepOnWorker(ms);
        resp.setContentType("text/plain");
        resp.getWriter().print("slept " + ms + " ms");
    }

    /** Blocks the worker: under load, every worker ends up here and requests queue. */
    private static void sleepOnWorker(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void async(HttpServletRequest req, HttpServletResponse resp) {
        long ms = millis(req);
        AsyncContext async = req.startAsync();
        async.setTimeout(ms + 10_000);
        timer.schedule(() -> {
            try {
                HttpServletResponse r = (HttpServletResponse) async.getResponse();
                r.setStatus(202);
                r.setContentType("text/plain");
                r.getWriter().print("completed after " + ms + " ms");
            } catch (IOException ignored) {
                // client went away
            } finally {
                async.complete();
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    private static long millis(HttpServletRequest req) {
        try {
            return Math.max(0, Math.min(MAX_MS, Long.parseLong(req.getParameter("ms") == null ? "1000" : req.getParameter("ms"))));
        } catch (NumberFormatException e) {
            return 1000;
        }
    }
}
