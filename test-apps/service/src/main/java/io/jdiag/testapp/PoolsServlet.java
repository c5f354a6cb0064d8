package io.jdiag.testapp;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.dbcp2.BasicDataSource;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import org.apache.tomcat.jdbc.pool.PoolProperties;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Connection pools, mapped to {@code /pools/*}: HikariCP, Commons DBCP2, Tomcat JDBC and a plain
 * (unpooled) data source on the database given by {@code --jdbc-url} (embedded H2 by default, a real
 * PostgreSQL in the integration tests), and the pools of Apache HttpClient 4 and 5 against a loopback
 * downstream.
 *
 * <p>Every JDBC endpoint runs {@code select pg_sleep(<seconds>)} (on H2, an alias of {@link H2Functions#pgSleep});
 * {@code ?ms=<n>} (default 500, at most 5000) is how long the query holds its connection. The pools:
 * <ul>
 *   <li>{@code hikari-small}, {@code dbcp2-small}, {@code tomcat-small}: at most {@value #SMALL}
 *   connections, so a few dozen concurrent requests exhaust them ({@code /pools/<library>/slow});</li>
 *   <li>{@code hikari-big}: {@value #BIG} connections, enough for the same load ({@code /pools/hikari/slow?pool=big});</li>
 *   <li>{@code hikari-leaky}: {@code /pools/hikari/leak} borrows a connection there and never returns it.</li>
 * </ul>
 * Pools are created on first use, so a test can create them before it attaches the agent. Acquire
 * timeouts are 60 s: a shortage makes requests wait, not fail.
 *
 * <p>As in the other servlets, the code the agent reports sits in methods whose names say what they do
 * ({@code slowQuery}, {@code borrowWithoutClose}, {@code apache4SlowCall}): the integration tests look for
 * them in the findings' stacks. Do not rename them.
 */
final class PoolsServlet extends RoutedServlet {
    static final String MAPPING = "/pools/*";
    static final int SMALL = 5;
    static final int BIG = 60;
    static final int HTTP_MAX = 2;
    private static final int MAX_MS = 5_000;
    private static final int ACQUIRE_TIMEOUT_MS = 60_000;

    private final String jdbcUrl;
    private final Map<String, DataSource> dataSources = new ConcurrentHashMap<>();
    private volatile CloseableHttpClient apache4;
    private volatile org.apache.hc.client5.http.impl.classic.CloseableHttpClient apache5;

    PoolsServlet(String jdbcUrl) {
        super(MAPPING);
        this.jdbcUrl = jdbcUrl;
        get("/hikari/slow", "HikariCP: select pg_sleep(?ms) on pool hikari-small (max 5) or ?pool=big (max 60)", this::hikariSlow);
        get("/hikari/leak", "HikariCP: a connection borrowed from hikari-leaky and never returned (leak)", this::hikariLeak);
        get("/dbcp2/slow", "Commons DBCP2: select pg_sleep(?ms) on dbcp2-small (max 5)", this::dbcp2Slow);
        get("/tomcat/slow", "Tomcat JDBC: select pg_sleep(?ms) on tomcat-small (max 5)", this::tomcatSlow);
        get("/datasource/slow", "a plain data source (PGSimpleDataSource or H2's): connect, select pg_sleep(?ms), close",
                this::dataSourceSlow);
        get("/apache4/slow", "Apache HttpClient 4, pool of 2: GET ?port's /slow?ms=?delay", this::apache4Slow);
        get("/apache5/slow", "Apache HttpClient 5, pool of 2: GET ?port's /slow?ms=?delay", this::apache5Slow);
    }

    // ---- pools, created on first use -------------------------------------------------------------

    private DataSource dataSource(String name, Supplier<DataSource> create) {
        return dataSources.computeIfAbsent(name, n -> {
            DataSource ds = create.get();
            initDatabase(ds);
            return ds;
        });
    }

    private DataSource hikari(String name, int max) {
        return dataSource(name, () -> {
            HikariConfig c = new HikariConfig();
            c.setPoolName(name);
            c.setJdbcUrl(jdbcUrl);
            c.setMaximumPoolSize(max);
            c.setMinimumIdle(1);
            c.setConnectionTimeout(ACQUIRE_TIMEOUT_MS);
            return new HikariDataSource(c);
        });
    }

    private DataSource dbcp2() {
        return dataSource("dbcp2-small", () -> {
            BasicDataSource ds = new BasicDataSource();
            ds.setUrl(jdbcUrl);
            ds.setMaxTotal(SMALL);
            ds.setMaxIdle(SMALL);
            ds.setMaxWait(java.time.Duration.ofMillis(ACQUIRE_TIMEOUT_MS));
            return ds;
        });
    }

    private DataSource tomcat() {
        return dataSource("tomcat-small", () -> {
            PoolProperties p = new PoolProperties();
            p.setName("tomcat-small");
            p.setUrl(jdbcUrl);
            p.setDriverClassName(jdbcUrl.startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver");
            p.setMaxActive(SMALL);
            p.setMaxIdle(SMALL);
            p.setInitialSize(1);
            p.setMinIdle(1);
            p.setMaxWait(ACQUIRE_TIMEOUT_MS);
            return new org.apache.tomcat.jdbc.pool.DataSource(p);
        });
    }

    private DataSource plain() {
        return dataSource("plain", () -> {
            if (jdbcUrl.startsWith("jdbc:h2:")) {
                org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
                ds.setURL(jdbcUrl);
                return ds;
            }
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(jdbcUrl);
            return ds;
        });
    }

    /** On H2, {@code pg_sleep} is an alias of {@link H2Functions#pgSleep}; PostgreSQL has its own. */
    private void initDatabase(DataSource ds) {
        if (!jdbcUrl.startsWith("jdbc:h2:")) {
            return;
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ALIAS IF NOT EXISTS PG_SLEEP FOR 'io.jdiag.testapp.H2Functions.pgSleep'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create pg_sleep on H2", e);
        }
    }

    // ---- handlers ----------------------------------------------------------------------------------

    private void hikariSlow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        boolean big = "big".equals(param(req, "pool", "small"));
        DataSource ds = big ? hikari("hikari-big", BIG) : hikari("hikari-small", SMALL);
        jdbc(resp, () -> slowQuery(ds, millis(req)));
    }

    private void hikariLeak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        DataSource ds = hikari("hikari-leaky", 20);
        jdbc(resp, () -> borrowWithoutClose(ds));
    }

    private void dbcp2Slow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        DataSource ds = dbcp2();
        jdbc(resp, () -> slowQuery(ds, millis(req)));
    }

    private void tomcatSlow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        DataSource ds = tomcat();
        jdbc(resp, () -> slowQuery(ds, millis(req)));
    }

    private void dataSourceSlow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        DataSource ds = plain();
        jdbc(resp, () -> slowQuery(ds, millis(req)));
    }

    private void apache4Slow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        URI uri = downstream(req, resp);
        if (uri != null) {
            sendText(resp, 200, "downstream " + apache4SlowCall(uri));
        }
    }

    private void apache5Slow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        URI uri = downstream(req, resp);
        if (uri != null) {
            sendText(resp, 200, "downstream " + apache5SlowCall(uri));
        }
    }

    // ---- the code the agent reports ----------------------------------------------------------------

    /** Borrows, holds the connection for the query's duration, returns it (try-with-resources). */
    private static String slowQuery(DataSource ds, int ms) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement s = c.prepareStatement("select pg_sleep(?)")) {
            s.setDouble(1, ms / 1000.0);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
            }
            return "slept " + ms + " ms";
        }
    }

    /** Deliberate leak: the connection is used and dropped without close(), so it never goes back to its pool. */
    private static String borrowWithoutClose(DataSource ds) throws SQLException {
        Connection c = ds.getConnection();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            return "borrowed " + rs.getInt(1);
        }
    }

    private String apache4SlowCall(URI uri) throws IOException {
        try (org.apache.http.client.methods.CloseableHttpResponse response = apache4().execute(
                new org.apache.http.client.methods.HttpGet(uri))) {
            EntityUtils.consume(response.getEntity());
            return Integer.toString(response.getStatusLine().getStatusCode());
        }
    }

    private String apache5SlowCall(URI uri) throws IOException {
        return apache5().execute(new HttpGet(uri), response -> {
            org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
            return Integer.toString(response.getCode());
        });
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private CloseableHttpClient apache4() {
        CloseableHttpClient c = apache4;
        if (c == null) {
            synchronized (this) {
                if (apache4 == null) {
                    apache4 = HttpClients.custom()
                            .setDefaultRequestConfig(org.apache.http.client.config.RequestConfig.custom()
                                    .setConnectTimeout(2_000).setSocketTimeout(10_000)
                                    .setConnectionRequestTimeout(ACQUIRE_TIMEOUT_MS).build())
                            .setMaxConnTotal(HTTP_MAX).setMaxConnPerRoute(HTTP_MAX)
                            .build();
                }
                c = apache4;
            }
        }
        return c;
    }

    private org.apache.hc.client5.http.impl.classic.CloseableHttpClient apache5() {
        org.apache.hc.client5.http.impl.classic.CloseableHttpClient c = apache5;
        if (c == null) {
            synchronized (this) {
                if (apache5 == null) {
                    apache5 = org.apache.hc.client5.http.impl.classic.HttpClients.custom()
                            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                    .setMaxConnTotal(HTTP_MAX).setMaxConnPerRoute(HTTP_MAX).build())
                            .setDefaultRequestConfig(RequestConfig.custom()
                                    .setConnectionRequestTimeout(Timeout.ofMilliseconds(ACQUIRE_TIMEOUT_MS))
                                    .setResponseTimeout(Timeout.ofSeconds(10)).build())
                            .build();
                }
                c = apache5;
            }
        }
        return c;
    }

    @FunctionalInterface
    private interface JdbcWork {
        String run() throws SQLException;
    }

    private static void jdbc(HttpServletResponse resp, JdbcWork work) throws IOException {
        try {
            sendText(resp, 200, work.run());
        } catch (SQLException e) {
            sendText(resp, 500, "database error: " + e.getMessage());
        }
    }

    private static int millis(HttpServletRequest req) {
        try {
            return Math.max(0, Math.min(MAX_MS, Integer.parseInt(param(req, "ms", "500"))));
        } catch (NumberFormatException e) {
            return 500;
        }
    }

    /** {@code http://127.0.0.1:<port>/slow?ms=<delay>}, or null after answering 400. */
    private static URI downstream(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int port;
        int delay;
        try {
            port = Integer.parseInt(param(req, "port", "-1"));
            delay = Integer.parseInt(param(req, "delay", "0"));
        } catch (NumberFormatException e) {
            port = -1;
            delay = -1;
        }
        if (port < 1 || port > 65_535 || delay < 0 || delay > MAX_MS) {
            sendText(resp, 400, "expected ?port=<downstream port on 127.0.0.1> and optional ?delay=<0.." + MAX_MS + " ms>");
            return null;
        }
        return URI.create("http://127.0.0.1:" + port + "/slow?ms=" + delay);
    }
}
