package io.jdiag.testapp.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the integration tests: a throwaway cluster in a temporary directory,
 * on a free loopback port, started once per test JVM ({@link #shared()}) and stopped and deleted at
 * its exit. Slow queries in the tests use {@code pg_sleep}.
 *
 * <p>Set {@code JDIAG_TEST_PG_URL} (a JDBC URL with user and password in it) to use a running
 * server instead. Otherwise the server binaries ({@code initdb}, {@code pg_ctl}) are taken from the
 * {@code PATH} or from Debian's {@code /usr/lib/postgresql/<version>/bin}; {@code .ci/run} installs
 * the {@code postgresql} package when they are missing. PostgreSQL refuses to run as root: as root,
 * the cluster belongs to the {@code postgres} user and the binaries run through {@code runuser}.
 */
public final class PostgresServer {
    private static final String USER = "jdiag";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static PostgresServer shared;

    private final String jdbcUrl;
    private final Path dataDir;
    private final Path binDir;
    private final boolean asPostgresUser;

    private PostgresServer(String jdbcUrl, Path dataDir, Path binDir, boolean asPostgresUser) {
        this.jdbcUrl = jdbcUrl;
        this.dataDir = dataDir;
        this.binDir = binDir;
        this.asPostgresUser = asPostgresUser;
    }

    /** The server of this test JVM, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            String external = System.getenv("JDIAG_TEST_PG_URL");
            if (external != null && !external.isBlank()) {
                shared = new PostgresServer(external.trim(), null, null, false);
            } else {
                shared = startThrowaway();
                Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-stop"));
            }
        }
        return shared;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres?user=jdiag&password=jdiag}: a superuser. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    private static PostgresServer startThrowaway() {
        Path bin = findBinDir();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path data = Files.createTempDirectory("jdiag-pg-");
            if (root) {
                run(List.of("chown", "postgres:postgres", data.toString()), false);
            }
            Path password = data.resolve("pwfile");
            Path cluster = data.resolve("cluster");
            PostgresServer server = new PostgresServer(null, data, bin, root);
            Files.writeString(password, USER + "\n");
            if (root) {
                run(List.of("chown", "postgres:postgres", password.toString()), false);
            }
            server.pg(List.of(bin.resolve("initdb").toString(), "-D", cluster.toString(), "-U", USER,
                    "--pwfile=" + password, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--locale=C"));
            int port = FreePorts.find();
            // A socket directory inside the cluster (the default /var/run/postgresql may not exist),
            // no fsync (a throwaway), room for the pool tests' connections.
            String options = "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off"
                    + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", cluster.toString(), "-o", options,
                    "-l", data.resolve("server.log").toString(), "-w", "-t", "60", "start"));
            return new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER
                    + "&password=" + USER, data, bin, root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a throwaway PostgreSQL", e);
        }
    }

    /** Stops the throwaway cluster and deletes it; nothing for an external server. */
    public void stop() {
        if (dataDir == null) {
            return;
        }
        try {
            pg(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.resolve("cluster").toString(),
                    "-m", "immediate", "-w", "stop"));
        } catch (RuntimeException e) {
            System.err.println("postgres stop: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    private void pg(List<String> command) {
        run(command, asPostgresUser);
    }

    private static void run(List<String> command, boolean asPostgres) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            p.getOutputStream().close();
            OutputCapture out = new OutputCapture(p.getInputStream(), "pg-" + p.pid(), null);
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " timed out:\n" + out.text());
            }
            out.awaitEof(Duration.ofSeconds(5));
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " exited with " + p.exitValue() + ":\n" + out.text());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", full), e);
        }
    }

    /** {@code initdb} on the PATH, else the newest Debian {@code /usr/lib/postgresql/<version>/bin}. */
    static Path findBinDir() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path initdb = Path.of(dir, "initdb");
                if (Files.isExecutable(initdb)) {
                    try {
                        return initdb.toRealPath().getParent();
                    } catch (IOException e) {
                        return initdb.getParent();
                    }
                }
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path best = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(PostgresServer::version)).orElse(null);
                if (best != null) {
                    return best.resolve("bin");
                }
            } catch (IOException ignored) {
                // fall through to the message
            }
        }
        throw new IllegalStateException("no PostgreSQL server binaries (initdb) on the PATH or under /usr/lib/postgresql;"
                + " install the Debian package postgresql (.ci/run does), or set JDIAG_TEST_PG_URL to a running server");
    }

    private static int version(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
