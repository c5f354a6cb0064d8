package io.jdiag.testapp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * JDBC objects left open, mapped to {@code /jdbc/*}, on the database of {@code --jdbc-url} through
 * {@code DriverManager} (no pool): a connection, a statement, a result set never closed, and the
 * correct twins, including the ones JDBC closes for the application (a statement closed by its
 * connection's close, a result set by its statement's).
 *
 * <p>Statements and result sets leak on one long-lived connection, as an application that keeps a
 * connection would: leaked on a connection that is closed right after, they would be closed with it.
 * As in the other servlets, the leaking code sits in methods named for what they do
 * ({@code connectionWithoutClose}, {@code statementWithoutClose}, {@code resultSetWithoutClose}); the
 * integration tests look for them in the findings' stacks.
 */
final class JdbcServlet extends RoutedServlet {
    static final String MAPPING = "/jdbc/*";

    private final String jdbcUrl;
    private volatile Connection shared;

    JdbcServlet(String jdbcUrl) {
        super(MAPPING);
        this.jdbcUrl = jdbcUrl;
        get("/leak-connection", "DriverManager connection never closed (leak)", this::leakConnection);
        get("/leak-statement", "statement never closed, on a connection that stays open (leak)", this::leakStatement);
        get("/leak-resultset", "result set and its statement never closed, on a connection that stays open (leak)",
                this::leakResultSet);
        get("/close-all", "connection, statement and result set closed with try-with-resources", this::closeAll);
        get("/close-connection-only", "only the connection closed: JDBC closes its statement and result set", this::closeConnectionOnly);
        get("/close-statement-only", "only the statement closed (connection kept): JDBC closes its result set", this::closeStatementOnly);
    }

    private Connection shared() throws SQLException {
        Connection c = shared;
        if (c == null) {
            synchronized (this) {
                if (shared == null) {
                    shared = DriverManager.getConnection(jdbcUrl);
                }
                c = shared;
            }
        }
        return c;
    }

    private void leakConnection(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        run(resp, this::connectionWithoutClose);
    }

    private void leakStatement(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        run(resp, this::statementWithoutClose);
    }

    private void leakResultSet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        run(resp, this::resultSetWithoutClose);
    }

    private void closeAll(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        run(resp, this::allClosed);
    }

    private void closeConnectionOnly(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        run(resp, this::connectionClosedOnly);
    }

    private void closeStatementOnly(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        run(resp, this::statementClosedOnly);
    }

    /** Deliberate leak: the connection (and its physical session) is dropped without close(). */
    private int connectionWithoutClose() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Deliberate leak: the statement is dropped without close() (its result set is closed). */
    private int statementWithoutClose() throws SQLException {
        PreparedStatement s = shared().prepareStatement("select 2");
        try (ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Deliberate leak: neither the result set nor its statement is closed. */
    private int resultSetWithoutClose() throws SQLException {
        Statement s = shared().createStatement();
        ResultSet rs = s.executeQuery("select 3");
        rs.next();
        return rs.getInt(1);
    }

    private int allClosed() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement s = c.prepareStatement("select 4");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Only the connection is closed: its statement and result set are closed with it (JDBC). */
    private int connectionClosedOnly() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("select 5");
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Only the statement is closed: its result set is closed with it (JDBC). */
    private int statementClosedOnly() throws SQLException {
        try (Statement s = shared().createStatement()) {
            ResultSet rs = s.executeQuery("select 6");
            rs.next();
            return rs.getInt(1);
        }
    }

    @FunctionalInterface
    private interface Query {
        int run() throws SQLException;
    }

    private static void run(HttpServletResponse resp, Query query) throws IOException {
        try {
            sendText(resp, 200, "result " + query.run());
        } catch (SQLException e) {
            sendText(resp, 500, "database error: " + e.getMessage());
        }
    }
}
