package io.jdiag.testapp.blocking;

import io.jdiag.testapp.H2Functions;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event-loop endpoints of the Netty port: the same waits done wrongly on the loop and correctly off it.
 * <ul>
 *   <li>{@code GET /ok}: answers at once (healthy)</li>
 *   <li>{@code GET /sleep?ms=N}: {@code Thread.sleep} on the event loop</li>
 *   <li>{@code GET /jdbc?ms=N}: a blocking {@code pg_sleep} query on the event loop (PostgreSQL from
 *       {@code --jdbc-url}; without it an embedded H2 whose {@code pg_sleep} sleeps)</li>
 *   <li>{@code GET /cpu?ms=N}: N ms of busy computation on the event loop</li>
 *   <li>{@code GET /offload?ms=N}: the same wait on a worker pool; the loop stays free</li>
 *   <li>{@code GET /handoff?ms=N}: a task handed to a queue whose lock another thread holds for N ms,
 *       as a thread descheduled inside the queue holds it on a busy host (healthy: the JDK's own lock)</li>
 * </ul>
 * Every handler method is named for what it does, so a finding's stack says which one ran.
 */
public final class BlockingRoutes implements AutoCloseable {
    /** Connections for {@code /jdbc}; a loop thread handles one request at a time, so two loops need two. */
    private static final int CONNECTIONS = 4;
    private static final String H2_URL = "jdbc:h2:mem:jdiag-blocking;DB_CLOSE_DELAY=-1";

    private final BlockingQueue<Connection> connections = new ArrayBlockingQueue<>(CONNECTIONS);
    private final ThreadPoolExecutor workers;
    /** Always holds one element, for {@link #handOffWhileLocked} to compare with while it holds the lock. */
    private final LinkedBlockingQueue<Object> handOffs = new LinkedBlockingQueue<>();
    private final boolean h2;

    private BlockingRoutes(String jdbcUrl) throws SQLException {
        h2 = jdbcUrl == null || jdbcUrl.isBlank();
        String url = h2 ? H2_URL : jdbcUrl;
        for (int i = 0; i < CONNECTIONS; i++) {
            connections.add(DriverManager.getConnection(url));
        }
        if (h2) {
            try (Statement s = connections.peek().createStatement()) {
                s.execute("CREATE ALIAS IF NOT EXISTS PG_SLEEP FOR '" + H2Functions.class.getName() + ".pgSleep'");
            }
        }
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(64, 64, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "offload-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        workers.prestartAllCoreThreads();
        handOffs.add("always here");
    }

    /** Opens the database connections (not on an event loop) and starts the offload pool. */
    public static BlockingRoutes create(String jdbcUrl) throws SQLException {
        return new BlockingRoutes(jdbcUrl);
    }

    public String database() {
        return h2 ? "h2 (embedded)" : "postgresql";
    }

    /** Handles {@code request} when its path is one of these endpoints; false otherwise. On the event loop. */
    public boolean handle(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
        QueryStringDecoder q = new QueryStringDecoder(request.uri());
        long ms = millis(q);
        switch (q.path()) {
            case "/ok":
                respond(ctx, request, HttpResponseStatus.OK, "ok");
                return true;
            case "/sleep":
                sleepOnLoop(ms);
                respond(ctx, request, HttpResponseStatus.OK, "slept " + ms + " ms on " + Thread.currentThread().getName());
                return true;
            case "/jdbc":
                respond(ctx, request, HttpResponseStatus.OK, queryOnLoop(ms));
                return true;
            case "/cpu":
                respond(ctx, request, HttpResponseStatus.OK, "computed " + burnCpuOnLoop(ms));
                return true;
            case "/offload":
                offloadSleep(ctx, request, ms);
                return true;
            case "/handoff":
                respond(ctx, request, HttpResponseStatus.OK, handOffWhileLocked(ms));
                return true;
            default:
                return false;
        }
    }

    /** Deliberately wrong: the loop, and every connection it serves, waits. */
    private static void sleepOnLoop(long ms) throws InterruptedException {
        Thread.sleep(ms);
    }

    /** Deliberately wrong: a blocking JDBC query on the loop. */
    private String queryOnLoop(long ms) throws SQLException {
        Connection c = connections.poll();
        if (c == null) {
            return "no free connection";
        }
        try (PreparedStatement s = c.prepareStatement("SELECT pg_sleep(?)")) {
            s.setDouble(1, ms / 1000.0);
            try (ResultSet r = s.executeQuery()) {
                r.next();
            }
            return "queried " + database() + " for " + ms + " ms";
        } finally {
            connections.add(c);
        }
    }

    /** Deliberately wrong: CPU-heavy work on the loop (no blocking call anywhere). */
    private static long burnCpuOnLoop(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long x = 1;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 1000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        return x;
    }

    /** Correct: the wait happens on a worker thread; the response is written when it ends. */
    private void offloadSleep(ChannelHandlerContext ctx, FullHttpRequest request, long ms) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        workers.execute(() -> {
            sleepQuietly(ms);
            respond(ctx, keepAlive, HttpResponseStatus.OK, "slept " + ms + " ms off the loop on " + Thread.currentThread().getName());
        });
    }

    /**
     * Correct: {@code LinkedBlockingQueue.offer} never waits for space, only for the queue's lock,
     * which a worker holds here for {@code ms} (its {@code contains} compares under the lock).
     */
    private String handOffWhileLocked(long ms) {
        AtomicBoolean holding = new AtomicBoolean();
        workers.execute(() -> handOffs.contains(new Object() {
            @Override
            public boolean equals(Object other) {
                holding.set(true);
                sleepQuietly(ms);
                return false;
            }

            @Override
            public int hashCode() {
                return 0;
            }
        }));
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!holding.get() && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        Object task = new Object();
        long start = System.nanoTime();
        handOffs.offer(task);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        handOffs.remove(task);
        return "handed off after waiting " + waited + " ms for the queue's lock";
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long millis(QueryStringDecoder q) {
        List<String> v = q.parameters().get("ms");
        try {
            return v == null || v.isEmpty() ? 100 : Math.max(0, Math.min(60_000, Long.parseLong(v.get(0))));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
        respond(ctx, HttpUtil.isKeepAlive(request), status, body);
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing at exit
            }
        }
    }
}
