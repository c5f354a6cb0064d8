package io.jdiag.testapp.tomcat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.servlet.http.HttpServlet;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardThreadExecutor;
import org.apache.catalina.startup.Tomcat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the Tomcat test service: {@code java -jar jdiag-test-tomcat-service.jar [--port N] [--max-threads N]}.
 *
 * <p>Embedded Tomcat 9 ({@code javax.servlet}) with one NIO connector whose requests run on a Tomcat
 * connector executor ({@link StandardThreadExecutor} named {@value #EXECUTOR_NAME}, threads
 * {@value #THREAD_NAME_PREFIX}{@code N}); that executor is backed by Tomcat's own
 * {@code org.apache.tomcat.util.threads.ThreadPoolExecutor}, the pool the agent watches. Once listening
 * it prints exactly one line, {@value #LISTENING_PREFIX}{@code <port>}, to stdout; Tomcat's own logging
 * (JULI) goes to stderr. On SIGTERM a shutdown hook stops Tomcat and deletes the data and base directories.
 */
@Command(name = "jdiag-test-tomcat-service", mixinStandardHelpOptions = true, version = "jdiag-test-tomcat-service 0.1.0",
        description = "Embedded Tomcat 9 service that reproduces failure modes detected by the jdiag agent.")
public final class TomcatServiceMain implements Callable<Integer> {

    /** Prefix of the single stdout line announcing the port. Keep in sync with the test harness. */
    public static final String LISTENING_PREFIX = "jdiag-test-tomcat-service listening on port ";
    /** The connector executor's name and its threads' name prefix: the tests look for them. */
    public static final String EXECUTOR_NAME = "tomcat-service-exec";
    public static final String THREAD_NAME_PREFIX = EXECUTOR_NAME + "-";
    static final int MAX_THREADS = 50;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--max-threads", defaultValue = "" + MAX_THREADS, paramLabel = "N",
            description = "Most worker threads of the connector executor (default: ${DEFAULT-VALUE});"
                    + " small values make saturation easy to provoke.")
    int maxThreads;

    private Tomcat tomcat;
    private Path dataDir;

    public static void main(String[] args) {
        int rc = new CommandLine(new TomcatServiceMain()).execute(args);
        // On success call() returns only once Tomcat has stopped (during JVM shutdown after SIGTERM);
        // System.exit(0) then would block on the running shutdown, so exit explicitly only on errors.
        if (rc != 0) {
            System.exit(rc);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (maxThreads < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--max-threads must be at least 1");
        }
        // Before start(), so that a failed start also removes what was already created.
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "tomcat-service-shutdown"));
        int actualPort = start();
        System.out.println(LISTENING_PREFIX + actualPort);
        System.out.flush();
        // The embedded server has no shutdown port (-1): this waits until stop() is called.
        tomcat.getServer().await();
        return 0;
    }

    /** Creates the data directory, wires the servlets and starts Tomcat; returns the bound port. */
    int start() throws Exception {
        dataDir = Files.createTempDirectory("jdiag-tomcat-service-");
        Path files = Files.createDirectory(dataDir.resolve("files"));
        FilesServlet.writeDataFiles(files);

        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectory(dataDir.resolve("tomcat")).toString());

        StandardThreadExecutor executor = new StandardThreadExecutor();
        executor.setName(EXECUTOR_NAME);
        executor.setNamePrefix(THREAD_NAME_PREFIX);
        executor.setMaxThreads(maxThreads);
        executor.setMinSpareThreads(Math.min(4, maxThreads)); // core size; must not exceed max
        tomcat.getService().addExecutor(executor);

        Connector connector = new Connector("HTTP/1.1"); // NIO
        connector.setPort(port);
        connector.setProperty("address", host);
        connector.getProtocolHandler().setExecutor(executor);
        tomcat.setConnector(connector);

        Context context = tomcat.addContext("", files.toString());
        addServlet(context, "files", new FilesServlet(files), FilesServlet.MAPPING);
        addServlet(context, "orders", new OrdersServlet(), OrdersServlet.MAPPING);
        addServlet(context, "health", new HealthServlet(), HealthServlet.MAPPING);
        addServlet(context, "slow", new SlowServlet(), SlowServlet.MAPPING);

        tomcat.start();
        return connector.getLocalPort();
    }

    private static void addServlet(Context context, String name, HttpServlet servlet, String mapping) {
        Wrapper wrapper = Tomcat.addServlet(context, name, servlet);
        wrapper.setAsyncSupported(true); // SlowServlet's async endpoint; harmless for the others
        context.addServletMappingDecoded(mapping, name);
    }

    /** Stops Tomcat and deletes the data directory; safe to call more than once. */
    void stop() {
        try {
            if (tomcat != null) {
                tomcat.stop();
                tomcat.destroy();
            }
        } catch (Exception e) {
            System.err.println("jdiag-test-tomcat-service: stopping Tomcat failed: " + e);
        }
        try {
            if (dataDir != null && Files.exists(dataDir)) {
                try (Stream<Path> paths = Files.walk(dataDir)) {
                    for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("jdiag-test-tomcat-service: deleting " + dataDir + " failed: " + e);
        }
    }
}
