package io.jdiag.testapp.tomcat;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.servlet.AsyncContext;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Slow endpoints under {@code /slow/*}: {@code /slow/sleep?ms=N} holds its worker thread in
 * {@code sleepOnWorker} (what saturates the executor under load; answers 200), and
 * {@code /slow/async?ms=N} starts an async request that a timer completes N ms later with status
 * 202, without holding a worker.
 */
final class SlowServlet extends HttpServlet {
    static final String MAPPING = "/slow/*";
    private static final long MAX_MS = 30_000;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "slow-async-timer");
        t.setDaemon(true);
        return t;
    });

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        long ms = Responses.millis(req, 1000, MAX_MS);
        if ("/sleep".equals(path)) {
            sleepOnWorker(ms);
            Responses.text(resp, HttpServletResponse.SC_OK, "slept " + ms + " ms");
        } else if ("/async".equals(path)) {
            async(req, ms);
        } else {
            Responses.text(resp, HttpServletResponse.SC_NOT_FOUND, "no such endpoint: " + req.getRequestURI());
        }
    }

    /** Blocks the worker: under load every worker ends up here and requests queue. The name is part of the contract. */
    private static void sleepOnWorker(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void async(HttpServletRequest req, long ms) {
        AsyncContext async = req.startAsync();
        async.setTimeout(ms + 10_000);
        timer.schedule(() -> {
            try {
                Responses.text((HttpServletResponse) async.getResponse(), HttpServletResponse.SC_ACCEPTED,
                        "completed after " + ms + " ms");
            } catch (IOException ignored) {
                // the client went away
            } finally {
                async.complete();
            }
        }, ms, TimeUnit.MILLISECONDS);
    }
}
