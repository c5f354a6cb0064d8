package io.jdiag.testapp;

import jakarta.servlet.http.HttpServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Entry point of the test service: {@code java -jar jdiag-test-service.jar [--port N]}.
 *
 * <p>Wires the per-failure-mode servlets into an embedded Jetty 12 (ee10) server. Once listening it
 * prints exactly one line, {@value #LISTENING_PREFIX}{@code <port>}, to stdout; the integration-test
 * harness parses it to learn the port (important with {@code --port 0}). Everything else (Jetty's
 * logging, errors) goes to stderr. On SIGTERM a shutdown hook stops Jetty, the echo server and deletes
 * the data directory, and the JVM exits.
 */
@Command(name = "jdiag-test-service", mixinStandardHelpOptions = true, version = "jdiag-test-service 0.1.0",
        description = "HTTP service that reproduces the failure modes detected by the jdiag agent.")
public final class ServiceMain implements Callable<Integer> {

    /** Prefix of the single stdout line announcing the port. Keep in sync with the test harness. */
    public static final String LISTENING_PREFIX = "jdiag-test-service listening on port ";
    /** Printed before {@link #LISTENING_PREFIX} when {@code --netty-port} is given. */
    public static final String NETTY_LISTENING_PREFIX = "jdiag-test-service netty listening on port ";

    /** Thread pool name and size: the agent's pool/thread findings in the tests refer to them. */
    static final String THREAD_POOL_NAME = "qtp-service";
    static final int MAX_THREADS = 50;

    @Option(names = "--port", defaultValue = "8080",
            description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--netty-port", defaultValue = "-1", paramLabel = "PORT",
            description = "Also serve a Netty HTTP server on this port (0 = a free one; default: none).")
    int nettyPort;

    /** The database of the /pools/* and /jdbc/* endpoints when no --jdbc-url is given. */
    static final String EMBEDDED_H2 = "jdbc:h2:mem:jdiag;DB_CLOSE_DELAY=-1";

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "JDBC URL of the database the /pools/*, /jdbc/* and Netty /jdbc endpoints query"
                    + " (default: an embedded H2; the integration tests pass a real PostgreSQL).")
    String jdbcUrl;

    @Option(names = "--max-threads", defaultValue = "" + MAX_THREADS, paramLabel = "N",
            description = "Most Jetty worker threads (default: ${DEFAULT-VALUE}); small values make saturation easy to provoke.")
    int maxThreads;

    @Option(names = "--load-jdk-classes", defaultValue = "0", paramLabel = "N",
            description = "At start-up, load (without initializing) up to N classes of java.base, so that attach"
                    + " time can be measured on a JVM with many loaded classes (default: ${DEFAULT-VALUE}).")
    int loadJdkClasses;

    private Server server;
    private LoopbackEchoServer echoServer;
    private ServiceData data;
    private NettyService netty;

    public static void main(String[] args) {
        int rc = new CommandLine(new ServiceMain()).execute(args);
        // On success call() only returns once Jetty has stopped (normally during JVM shutdown after SIGTERM).
        // Calling System.exit(0) then would block on the running shutdown, so exit explicitly only on errors.
        if (rc != 0) {
            System.exit(rc);
        }
    }

    @Override
    public Integer call() throws Exception {
        // Registered before start() so that a failed start (e.g. port in use, then System.exit(1) in main)
        // also cleans up whatever was already created, such as the data directory.
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "service-shutdown"));
        if (loadJdkClasses > 0) {
            System.err.println("jdiag-test-service: loaded " + loadJdkClasses(loadJdkClasses) + " java.base classes");
        }
        int actualPort = start();
        if (nettyPort >= 0) {
            netty = NettyService.start(host, nettyPort, data.dir().resolve("a.txt"), jdbcUrl);
            System.out.println(NETTY_LISTENING_PREFIX + netty.port());
        }
        System.out.println(LISTENING_PREFIX + actualPort);
        System.out.flush();
        server.join();
        return 0;
    }

    /** Creates the data dir and echo server, wires all servlets and starts Jetty; returns the bound port. */
    int start() throws Exception {
        data = ServiceData.create();
        echoServer = LoopbackEchoServer.start();

        // One servlet per failure mode, each under its own prefix mapping (findings are attributed to it).
        List<RoutedServlet> groups = List.of(
                new FilesServlet(data),
                new SocketsServlet(echoServer),
                new SlowServlet(),
                new ClientsServlet(),
                new UploadServlet(data),
                new DownloadsServlet(),
                new ExportServlet(),
                new PoolsServlet(jdbcUrl != null ? jdbcUrl : EMBEDDED_H2),
                new JdbcServlet(jdbcUrl != null ? jdbcUrl : EMBEDDED_H2));

        List<Endpoint> endpoints = new ArrayList<>();
        endpoints.add(new Endpoint("/", "this list"));
        endpoints.add(new Endpoint(HealthServlet.MAPPING, "liveness: 200 ok"));
        groups.forEach(g -> endpoints.addAll(g.endpoints()));
        endpoints.addAll(UploadServlet.POST_ENDPOINTS);
        endpoints.add(ExportServlet.ROOT);

        ServletContextHandler context = new ServletContextHandler("/");
        addServlet(context, new IndexServlet(endpoints), IndexServlet.MAPPING);
        addServlet(context, new HealthServlet(), HealthServlet.MAPPING);
        groups.forEach(g -> addServlet(context, g, g.mapping()));

        QueuedThreadPool threadPool = new QueuedThreadPool(maxThreads);
        threadPool.setName(THREAD_POOL_NAME);
        server = new Server(threadPool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(context);
        // Don't wait long for in-flight requests at shutdown: this is a test app.
        server.setStopTimeout(2_000);
        server.start();
        return connector.getLocalPort();
    }

    /** Loads up to {@code max} classes of java.base, listed from the jrt:/ file system, without initializing them. */
    static int loadJdkClasses(int max) throws IOException {
        String prefix = "/modules/java.base/";
        int loaded = 0;
        try (Stream<Path> files = Files.walk(FileSystems.getFileSystem(URI.create("jrt:/")).getPath(prefix))) {
            for (Iterator<Path> it = files.iterator(); it.hasNext() && loaded < max; ) {
                String file = it.next().toString();
                if (file.endsWith(".class") && !file.endsWith("module-info.class")) {
                    String name = file.substring(prefix.length(), file.length() - ".class".length()).replace('/', '.');
                    try {
                        Class.forName(name, false, ServiceMain.class.getClassLoader());
                        loaded++;
                    } catch (ClassNotFoundException | LinkageError e) {
                        // not loadable on its own (e.g. needs a missing optional module); skip it
                    }
                }
            }
        }
        return loaded;
    }

    private static void addServlet(ServletContextHandler context, HttpServlet servlet, String mapping) {
        ServletHolder holder = new ServletHolder(servlet.getClass().getSimpleName(), servlet);
        holder.setAsyncSupported(true); // SlowServlet's async endpoint; harmless for the others
        context.addServlet(holder, mapping);
    }

    /** Stops everything started by {@link #start()}; safe to call more than once. */
    void stop() {
        if (netty != null) {
            netty.close();
        }
        try {
            if (server != null) {
                server.stop();
            }
        } catch (Exception e) {
            System.err.println("jdiag-test-service: stopping Jetty failed: " + e);
        }
        try {
            if (echoServer != null) {
                echoServer.close();
            }
        } catch (IOException e) {
            System.err.println("jdiag-test-service: stopping echo server failed: " + e);
        }
        try {
            if (data != null) {
                data.delete();
            }
        } catch (IOException e) {
            System.err.println("jdiag-test-service: deleting " + data.dir() + " failed: " + e);
        }
    }
}
