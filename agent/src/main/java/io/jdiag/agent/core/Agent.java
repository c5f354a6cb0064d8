package io.jdiag.agent.core;

import io.jdiag.agent.export.AgentMetrics;
import io.jdiag.agent.export.Endpoint;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.Report;
import io.jdiag.agent.report.ReportFiles;
import io.jdiag.agent.report.ReportSection;
import io.jdiag.bootstrap.AgentThread;
import io.prometheus.client.CollectorRegistry;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;

/**
 * The running agent, created by {@code AgentMain} inside the agent class loader. Wires config,
 * the event pipeline, the findings store, metrics, detectors, instrumentation, endpoint and
 * report files; {@link #close()} undoes all of it for a detach.
 */
public final class Agent implements AutoCloseable {
    /** System properties through which the CLI finds a running agent (by pid, with no port given). */
    public static final String PROP_ENDPOINT = "io.jdiag.agent.endpoint";
    public static final String PROP_VERSION = "io.jdiag.agent.version";
    public static final String PROP_MODE = "io.jdiag.agent.mode";

    private final Instrumentation inst;
    private final String mode;
    private final Config config;
    private final List<Detector> detectors = new ArrayList<>();
    private final Map<String, Boolean> detectorStates = new LinkedHashMap<>();
    private final Installer installer = new Installer();
    private final EventPipeline events;
    private final AgentLoop loop;
    private final FindingsStore store;
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final Report report;
    private ResettableClassFileTransformer transformer;
    private volatile Endpoint endpoint;
    private ReportFiles reportFiles;
    private Thread shutdownHook;

    private Agent(Instrumentation inst, String mode, Config config) {
        this.inst = inst;
        this.mode = mode;
        this.config = config;
        this.events = new EventPipeline(config.integer(ConfigKey.EVENTS_QUEUE_CAPACITY));
        this.loop = new AgentLoop(events);
        this.store = new FindingsStore(config.integer(ConfigKey.REPORT_MAX_FINDINGS));
        this.report = new Report(store, version(), mode, () -> detectorStates);
    }

    /**
     * Called reflectively by {@code AgentMain}.
     *
     * @param mode {@code premain} or {@code attach}. On attach a bad configuration is refused as a
     *             whole (thrown back to the CLI, nothing installed); at premain each problem is
     *             printed and the rest runs on.
     */
    public static Agent start(String args, Instrumentation inst, String mode, File agentJar) throws Exception {
        Config config = Config.load(args);
        if ("attach".equals(mode) && !config.argumentProblems().isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", config.argumentProblems()));
        }
        config.problems().forEach(Log::line);
        Agent agent = new Agent(inst, mode, config);
        try {
            agent.startAll();
        } catch (Throwable t) {
            // Leave nothing half-installed behind: the target must run on as if we never came.
            try {
                agent.close();
            } catch (Throwable suppressed) {
                t.addSuppressed(suppressed);
            }
            throw t;
        }
        return agent;
    }

    private void startAll() throws Exception {
        AgentMetrics metrics = new AgentMetrics(registry, version(), mode, events::dropped, installer::errors);
        store.onRecord(metrics::finding);

        DetectorContext context = new Context();
        for (Detector d : ServiceLoader.load(Detector.class, Agent.class.getClassLoader())) {
            boolean enabled = config.detectorEnabled(d.name());
            detectorStates.put(d.name(), enabled);
            if (enabled) {
                d.start(context);
                detectors.add(d);
            }
        }
        loop.start();

        // Attach: bind now so a taken port fails the CLI with our line. Premain: bind on the agent
        // thread, so the JDK HTTP server's class loading and logging set-up never run inside premain.
        if ("attach".equals(mode)) {
            startEndpoint(true);
        } else {
            new AgentThread(() -> startEndpoint(false), "jdiag-endpoint-start").start();
        }

        transformer = installer.install(inst, Agent.class.getClassLoader(), detectors);
        installer.check(inst, detectors);

        if (config.isSet(ConfigKey.REPORT_DIR)) {
            reportFiles = new ReportFiles(report, config.file(ConfigKey.REPORT_DIR));
            loop.every(config.nanos(ConfigKey.REPORT_INTERVAL) / 1_000_000, this::writeReportFiles);
            shutdownHook = new AgentThread(this::writeReportFiles, "jdiag-report-at-exit");
            shutdownHook.setDaemon(false);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        System.setProperty(PROP_VERSION, version());
        System.setProperty(PROP_MODE, mode);
    }

    private void startEndpoint(boolean failHard) {
        int port = config.integer(ConfigKey.HTTP_PORT);
        if (port < 0) {
            System.setProperty(PROP_ENDPOINT, "off");
            return;
        }
        String host = config.string(ConfigKey.HTTP_HOST);
        try {
            Endpoint e = Endpoint.start(host, port, config.string(ConfigKey.HTTP_USER),
                    config.file(ConfigKey.HTTP_PASSWORD_FILE), registry, report);
            endpoint = e;
            String shownHost = host.contains(":") ? "[" + host + "]" : host;
            System.setProperty(PROP_ENDPOINT, "http://" + shownHost + ":" + e.port() + "/");
        } catch (IOException | RuntimeException e) {
            String line = "jdiag: http.port=" + port + " (http.host=" + host + "): cannot serve the endpoint ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); no /metrics or /report, detectors"
                    + (config.isSet(ConfigKey.REPORT_DIR) ? " and report.dir" : "") + " keep working";
            if (failHard) {
                throw new IllegalStateException(line, e);
            }
            System.setProperty(PROP_ENDPOINT, "off");
            Log.line(line);
        } catch (Throwable t) {
            Log.line("jdiag: endpoint failed to start: " + t);
        }
    }

    private void writeReportFiles() {
        try {
            reportFiles.write();
        } catch (IOException | RuntimeException e) {
            Log.once("report-files", "jdiag: report.dir=" + config.string(ConfigKey.REPORT_DIR)
                    + ": cannot write the report (" + e + "); will retry");
        }
    }

    /** Detach: instrumentation removed (classes back to their original bytecode), threads and endpoint stopped. */
    @Override
    public void close() throws Exception {
        if (transformer != null) {
            transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
        for (Detector d : detectors) {
            try {
                d.stop();
            } catch (Throwable t) {
                Log.line("jdiag: " + d.name() + " did not stop cleanly: " + t);
            }
        }
        loop.stop();
        Endpoint e = endpoint;
        if (e != null) {
            e.close();
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            writeReportFiles();
        }
        System.clearProperty(PROP_ENDPOINT);
        System.clearProperty(PROP_VERSION);
        System.clearProperty(PROP_MODE);
    }

    static String version() {
        try (InputStream in = Agent.class.getResourceAsStream("/io/jdiag/agent/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private final class Context implements DetectorContext {
        @Override
        public Config config() {
            return config;
        }

        @Override
        public FindingsStore findings() {
            return store;
        }

        @Override
        public CollectorRegistry registry() {
            return registry;
        }

        @Override
        public EventPipeline events() {
            return events;
        }

        @Override
        public void every(long intervalMillis, Runnable task) {
            loop.every(intervalMillis, task);
        }

        @Override
        public void addReportSection(ReportSection section) {
            report.addSection(section);
        }
    }
}
