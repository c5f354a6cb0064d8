package io.jdiag.agent.core;

import io.jdiag.agent.export.AgentMetrics;
import io.jdiag.agent.export.Endpoint;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.Report;
import io.jdiag.agent.report.ReportFiles;
import io.jdiag.agent.report.ReportSection;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.AgentThread;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The running agent, created by {@code AgentMain} inside the agent class loader. Wires config,
 * the event pipeline, the findings store, metrics, detectors, instrumentation, endpoint and
 * report files; {@link #close()} undoes all of it for a detach.
 *
 * <p>Each detector is started, warmed up, installed and stopped inside a guard of its own: one
 * that throws at any of these steps, or whose advice fails later, is turned off alone
 * ({@link #detectorFailed}) while the others, the endpoint and {@code report.dir} run on.
 */
public final class Agent implements AutoCloseable {
    /** System properties through which the CLI finds a running agent (by pid, with no port given). */
    public static final String PROP_ENDPOINT = "io.jdiag.agent.endpoint";
    public static final String PROP_VERSION = "io.jdiag.agent.version";
    public static final String PROP_MODE = "io.jdiag.agent.mode";

    private final Instrumentation inst;
    private final String mode;
    private final Config config;
    private final DetectorCatalog catalog;
    /** Started detectors, by name, with what the core made for each. */
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final DetectorStates states = new DetectorStates();
    private final Installer installer = new Installer();
    private final EventPipeline events;
    private final AgentLoop loop;
    private final FindingsStore store;
    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final RequestTimes requestTimes = new RequestTimes();
    private final Report report;
    private Weaver transformer;
    /** Set once the instrumentation is installed; read by {@link #detectorFailed} on any thread. */
    private volatile boolean installed;
    private volatile Endpoint endpoint;
    private ReportFiles reportFiles;
    private Thread shutdownHook;
    /** Premain's work when the application's main does not wait for it ({@code premain.wait=false}). */
    private volatile Thread starting;

    private Agent(Instrumentation inst, String mode, Config config, DetectorCatalog catalog) {
        this.inst = inst;
        this.mode = mode;
        this.config = config;
        this.catalog = catalog;
        this.events = new EventPipeline(config.integer(CoreKeys.EVENTS_QUEUE_CAPACITY));
        this.loop = new AgentLoop(events);
        this.store = new FindingsStore(config.integer(CoreKeys.REPORT_MAX_FINDINGS));
        this.report = new Report(store, version(), mode, states::up, states::errors);
    }

    /**
     * Called reflectively by {@code AgentMain}.
     *
     * @param mode {@code premain} or {@code attach}. On attach a bad configuration is refused as a
     *             whole (thrown back to the CLI, nothing installed); at premain each problem is
     *             printed and the rest runs on. A failing detector never refuses an attach.
     */
    public static Agent start(String args, Instrumentation inst, String mode, File agentJar) throws Exception {
        DetectorCatalog catalog = DetectorCatalog.load(Agent.class.getClassLoader());
        Config config = Config.load(args, ConfigSchema.of(catalog));
        if ("attach".equals(mode) && !config.argumentProblems().isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", config.argumentProblems()));
        }
        config.problems().forEach(Log::line);
        Agent agent = new Agent(inst, mode, config, catalog);
        if ("premain".equals(mode) && !config.bool(CoreKeys.PREMAIN_WAIT)) {
            // The application's main does not wait for us: the detectors start and install on the
            // agent's thread, as a hot attach at the JVM's first moment would (classes loaded
            // meanwhile are retransformed), and the endpoint is up once they are.
            // Said at once, so that `jdiag attach` meanwhile finds this agent (endpoint "starting")
            // instead of loading a second one.
            System.setProperty(PROP_VERSION, version());
            System.setProperty(PROP_MODE, mode);
            agent.starting = new AgentThread(agent::startInBackground, "jdiag-start");
            agent.starting.start();
            return agent;
        }
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

    private void startInBackground() {
        try {
            startAll();
        } catch (Throwable t) {
            Log.line("jdiag: agent not started: " + t);
            try {
                close();
            } catch (Throwable suppressed) {
                // nothing more to undo
            }
        }
    }

    private void startAll() throws Exception {
        AgentMetrics metrics = new AgentMetrics(registry, version(), mode, events::dropped, installer::errors, states::up);
        store.onRecord(metrics::finding);

        catalog.failures().forEach((name, cause) -> {
            states.failed(name, cause);
            Log.line(DetectorStates.failureLine(name, cause));
        });
        List<String> libraryPackages = new ArrayList<>();
        List<Detector> started = new ArrayList<>();
        for (Detector d : catalog.detectors()) {
            if (!config.detectorEnabled(d.name())) {
                states.disabled(d.name());
                continue;
            }
            Running r = new Running(d);
            running.put(d.name(), r);
            try {
                d.start(r);
            } catch (Throwable t) {
                detectorFailed(d.name(), "failed to start: " + DetectorCatalog.cause(t));
                continue;
            }
            try {
                d.warmUp();
            } catch (Throwable t) {
                detectorFailed(d.name(), "failed to warm up: " + DetectorCatalog.cause(t));
                continue;
            }
            states.running(d.name());
            libraryPackages.addAll(d.libraryPackages());
            started.add(d);
        }
        Stacks.libraryPackages(libraryPackages);
        loop.start();

        // Attach: bind now so a taken port fails the CLI with our line. Premain: once installed (a
        // scrape then sees every detector at work), and on the agent thread, so the JDK HTTP
        // server's class loading and logging set-up never run inside premain.
        if ("attach".equals(mode)) {
            startEndpoint(true);
        }

        if (!started.isEmpty()) {
            BootDelegation.setContainerProperties();
        }
        transformer = installer.install(inst, Agent.class.getClassLoader(), started, this::detectorFailed);
        installed = true;
        List<Detector> working = new ArrayList<>();
        for (Detector d : started) {
            if (running.containsKey(d.name())) {
                working.add(d);
            } else {
                // failed while the install ran (its advice on a class being retransformed): take back
                // what it had woven into classes already; later failures are handled in detectorFailed
                installer.retransformWithout(inst, d.name());
            }
        }
        installer.check(inst, working);
        if (!"attach".equals(mode)) {
            if (Thread.currentThread() == starting) {
                startEndpoint(false);
            } else {
                new AgentThread(() -> startEndpoint(false), "jdiag-endpoint-start").start();
            }
        }

        if (config.isSet(CoreKeys.REPORT_DIR)) {
            reportFiles = new ReportFiles(report, config.file(CoreKeys.REPORT_DIR));
            loop.every(config.nanos(CoreKeys.REPORT_INTERVAL) / 1_000_000, this::writeReportFiles);
            shutdownHook = new AgentThread(this::writeReportFiles, "jdiag-report-at-exit");
            shutdownHook.setDaemon(false);
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        System.setProperty(PROP_VERSION, version());
        System.setProperty(PROP_MODE, mode);
    }

    /**
     * Turns one detector off: one {@code jdiag:} line, state 0 with its cause, its sinks cleared, its
     * metrics, periodic tasks and report sections removed, and — once installed — its advice removed
     * from the classes it had woven. Callable from any thread, including from inside a class-file
     * transformer (the instrumentation part then runs later on the agent thread).
     */
    void detectorFailed(String detector, String cause) {
        if (!states.failed(detector, cause)) {
            return;
        }
        Log.line(DetectorStates.failureLine(detector, cause));
        Running r = running.remove(detector);
        if (r != null) {
            r.release();
        }
        if (installed) {
            // maybe inside a class-file transformer now: retransform from the agent thread
            loop.soon(() -> installer.retransformWithout(inst, detector));
        }
    }

    private void startEndpoint(boolean failHard) {
        int port = config.integer(CoreKeys.HTTP_PORT);
        if (port < 0) {
            System.setProperty(PROP_ENDPOINT, "off");
            return;
        }
        String host = config.string(CoreKeys.HTTP_HOST);
        try {
            Endpoint e = Endpoint.start(host, port, config.string(CoreKeys.HTTP_USER),
                    config.file(CoreKeys.HTTP_PASSWORD_FILE), registry, report);
            endpoint = e;
            String shownHost = host.contains(":") ? "[" + host + "]" : host;
            System.setProperty(PROP_ENDPOINT, "http://" + shownHost + ":" + e.port() + "/");
        } catch (IOException | RuntimeException e) {
            String line = "jdiag: http.port=" + port + " (http.host=" + host + "): cannot serve the endpoint ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); no /metrics or /report, detectors"
                    + (config.isSet(CoreKeys.REPORT_DIR) ? " and report.dir" : "") + " keep working";
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
            Log.once("report-files", "jdiag: report.dir=" + config.string(CoreKeys.REPORT_DIR)
                    + ": cannot write the report (" + e + "); will retry");
        }
    }

    /** Detach: instrumentation removed (classes back to their original bytecode), threads and endpoint stopped. */
    @Override
    public void close() throws Exception {
        Thread start = starting;
        if (start != null && start != Thread.currentThread()) {
            // a detach while premain's work still runs: let it finish, then undo all of it
            start.join(TimeUnit.SECONDS.toMillis(60));
        }
        if (transformer != null) {
            transformer.reset(inst);
        }
        // The agent's threads first: a periodic task or a scrape running after a detector's stop()
        // could publish agent objects into its hooks again (the blocking detector's loop table),
        // and the bootstrap hooks outlive the detach, so they would pin the agent class loader.
        try {
            loop.stop();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        Endpoint e = endpoint;
        if (e != null) {
            e.close();
        }
        for (Running r : new ArrayList<>(running.values())) {
            try {
                r.detector.stop();
            } catch (Throwable t) {
                Log.line("jdiag: " + r.detector.name() + " did not stop cleanly: " + t);
            }
        }
        running.clear();
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

    /**
     * One started detector and the context the core gave it. Everything it registers through the
     * context is recorded here, so that a failure takes back exactly its part: its metrics (in a
     * registry of its own, exported through one collector in the agent's), its periodic tasks and
     * its report sections.
     */
    private final class Running implements DetectorContext {
        final Detector detector;
        private final CollectorRegistry own = new CollectorRegistry(true);
        private final Collector exported;
        private final List<Object> tasks = new CopyOnWriteArrayList<>();
        private final List<ReportSection> sections = new CopyOnWriteArrayList<>();

        Running(Detector detector) {
            this.detector = detector;
            this.exported = new Collector() {
                @Override
                public List<MetricFamilySamples> collect() {
                    return Collections.list(own.metricFamilySamples());
                }
            }.register(registry);
        }

        void release() {
            registry.unregister(exported);
            tasks.forEach(loop::cancel);
            sections.forEach(report::removeSection);
            try {
                detector.stop();
            } catch (Throwable t) {
                Log.line("jdiag: " + detector.name() + " did not stop cleanly: " + t);
            }
        }

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
            return own;
        }

        @Override
        public EventPipeline events() {
            return events;
        }

        @Override
        public RequestTimes requestTimes() {
            return requestTimes;
        }

        @Override
        public void every(long intervalMillis, Runnable task) {
            tasks.add(loop.every(intervalMillis, task));
        }

        @Override
        public void addReportSection(ReportSection section) {
            sections.add(section);
            report.addSection(section);
        }

        @Override
        public void failed(String cause) {
            detectorFailed(detector.name(), cause);
        }
    }
}
