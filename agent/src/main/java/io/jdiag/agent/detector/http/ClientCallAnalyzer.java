package io.jdiag.agent.detector.http;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.HttpClientHooks;
import io.jdiag.bootstrap.RequestContext;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The outbound-call logic behind {@link HttpClientHooks}, free of Byte Buddy so it is tested with plain
 * values.
 *
 * <p>Application threads: decide the missing timeouts ({@link ClientTimeoutPolicy}), count them, record
 * latency, and, rate limited per downstream, client and missing set ({@link ClientHost#tryCapture}),
 * capture the calling stack and hand it to the event pipeline. The common path (a call with its
 * timeouts, a known downstream) allocates nothing. Agent thread ({@link MissingTimeout#handle}): decode
 * the stack, find the application's calling frame, record the finding.
 */
final class ClientCallAnalyzer implements HttpClientHooks.ClientSink {
    static final String DETECTOR = "http";
    static final String KIND = "missing_timeout";
    static final String DOCS = "; see docs/detectors.md#http";

    private final ClientHosts hosts;
    private final ClientMetrics metrics;
    private final EventPipeline events;
    private final Consumer<FindingEvent> findings;
    private final ClientApache5Configs apache5Configs = new ClientApache5Configs();
    private final LongSupplier nanoClock;
    /** {@code sun.net.client.defaultConnectTimeout}/{@code defaultReadTimeout}, read when first needed (as the JDK reads them once). */
    private volatile int[] urlConnectionDefaults;

    ClientCallAnalyzer(ClientHosts hosts, ClientMetrics metrics, EventPipeline events, Consumer<FindingEvent> findings,
                       LongSupplier nanoClock) {
        this.hosts = hosts;
        this.metrics = metrics;
        this.events = events;
        this.findings = findings;
        this.nanoClock = nanoClock;
    }

    // ---- decisions (application threads) ------------------------------------------------------

    @Override
    public void jdkCall(String scheme, String host, int port, boolean connectTimeout, boolean requestTimeout) {
        decided(ClientKind.JDK, scheme, host, port, ClientTimeoutPolicy.jdk(connectTimeout, requestTimeout));
    }

    @Override
    public void urlConnectionCall(String scheme, String host, int port, int connectTimeout, int readTimeout) {
        int[] defaults = urlConnectionDefaults;
        if (defaults == null) {
            defaults = new int[] {Integer.getInteger("sun.net.client.defaultConnectTimeout", 0),
                Integer.getInteger("sun.net.client.defaultReadTimeout", 0)};
            urlConnectionDefaults = defaults;
        }
        decided(ClientKind.URLCONNECTION, scheme, host, port,
                ClientTimeoutPolicy.urlConnection(connectTimeout, readTimeout, defaults[0], defaults[1]));
    }

    @Override
    public void apache4Call(String scheme, String host, int port, int connectTimeout, int socketTimeout, int soTimeout) {
        decided(ClientKind.APACHE4, scheme, host, port, ClientTimeoutPolicy.apache4(connectTimeout, socketTimeout, soTimeout));
    }

    @Override
    public void apache5Call(String scheme, String host, int port, long connectTimeout, long responseTimeout,
                            long connectionConnect, long connectionSocket, long socketConfigSoTimeout,
                            Object connectionManager) {
        try {
            if (connectionConnect == HttpClientHooks.UNSET && connectionSocket == HttpClientHooks.UNSET
                    && socketConfigSoTimeout == HttpClientHooks.UNSET) {
                ClientApache5Configs.Resolved pooled = apache5Configs.read(connectionManager);
                connectionConnect = pooled.connectTimeout;
                connectionSocket = pooled.socketTimeout;
                socketConfigSoTimeout = pooled.soTimeout;
            }
            decided(ClientKind.APACHE5, scheme, host, port, ClientTimeoutPolicy.apache5(connectTimeout, responseTimeout,
                    connectionConnect, connectionSocket, socketConfigSoTimeout));
        } catch (Throwable ignored) {
            // never disturb the application's call
        }
    }

    @Override
    public void okhttpCall(String scheme, String host, int port, int connectTimeout, int readTimeout,
                           long callTimeoutNanos, boolean callDeadline) {
        decided(ClientKind.OKHTTP, scheme, host, port,
                ClientTimeoutPolicy.okhttp(connectTimeout, readTimeout, callTimeoutNanos, callDeadline));
    }

    private void decided(ClientKind kind, String scheme, String host, int port, int missing) {
        if (missing == 0) {
            return;
        }
        try {
            ClientHost h = hosts.lookup(scheme, host, port);
            metrics.missing(kind, h, missing);
            if (h.tryCapture(kind, missing, nanoClock.getAsLong())) {
                Thread t = Thread.currentThread();
                // Filling in the stack is the one costly step; the rate limit above bounds it.
                events.offer(new MissingTimeout(this, kind, h.label, missing, new Throwable("called here"),
                        t.getName(), RequestContext.currentRoute(), System.currentTimeMillis()));
            }
        } catch (Throwable ignored) {
            // never disturb the application's call
        }
    }

    // ---- latency (application threads) --------------------------------------------------------

    @Override
    public void completed(int client, String scheme, String host, int port, long elapsedNanos, int status) {
        try {
            ClientKind kind = ClientKind.of(client);
            if (kind != null) {
                metrics.latency(kind, hosts.lookup(scheme, host, port), status, elapsedNanos);
            }
        } catch (Throwable ignored) {
            // metrics are best effort
        }
    }

    @Override
    public void jdkAsyncCompleted(Object response, Throwable thrown, String scheme, String host, int port,
                                  long elapsedNanos) {
        try {
            int status = thrown == null && response instanceof HttpResponse ? ((HttpResponse<?>) response).statusCode() : -1;
            metrics.latency(ClientKind.JDK, hosts.lookup(scheme, host, port), status, elapsedNanos);
        } catch (Throwable ignored) {
            // metrics are best effort
        }
    }

    @Override
    public String hostLabel(String scheme, String host, int port) {
        try {
            return hosts.lookup(scheme, host, port).label;
        } catch (Throwable t) {
            return null;
        }
    }

    /** Ends the timing of a {@code sendAsync} when its future completes (on whichever thread completes it). */
    // ---- findings (agent thread) --------------------------------------------------------------

    /** One sampled call without timeouts, on its way to the agent thread. */
    static final class MissingTimeout implements EventPipeline.AgentEvent {
        private final ClientCallAnalyzer analyzer;
        final ClientKind kind;
        final String host;
        final int missing;
        final Throwable calledAt;
        final String thread;
        final String route;
        final long timeMillis;

        MissingTimeout(ClientCallAnalyzer analyzer, ClientKind kind, String host, int missing, Throwable calledAt,
                       String thread, String route, long timeMillis) {
            this.analyzer = analyzer;
            this.kind = kind;
            this.host = host;
            this.missing = missing;
            this.calledAt = calledAt;
            this.thread = thread;
            this.route = route;
            this.timeMillis = timeMillis;
        }

        @Override
        public void handle() {
            analyzer.findings.accept(finding(this));
        }
    }

    /**
     * The finding for one occurrence. Grouped by client, the set of missing timeouts and the calling
     * site, not by host: the fix is at the call site (or the client it uses), wherever it calls; the
     * latest host is in the details and every host is in the metrics.
     */
    static FindingEvent finding(MissingTimeout m) {
        List<String> all = Stacks.frames(m.calledAt);
        String site = Stacks.site(all);
        String labels = ClientTimeoutPolicy.labels(m.missing);
        boolean canHang = (m.missing & ClientTimeoutPolicy.REQUEST) != 0;
        String where = Stacks.where(site, m.route, "unknown code");
        return new FindingEvent(DETECTOR, KIND, m.kind.label + " " + labels + " " + site)
                .summary(m.kind.api + " call to " + m.host + " in " + where + " made without "
                        + ClientTimeoutPolicy.words(m.missing) + (canHang ? "; it can hang forever" : ""))
                .route(m.route)
                .thread(m.thread)
                .stack(ClientStacks.fromCall(all))
                .advice(m.kind.fix + DOCS)
                .detail("client", m.kind.label)
                .detail("host", m.host)
                .detail("timeouts", labels)
                .detail("canHang", canHang)
                .detail("site", site)
                .at(m.timeMillis);
    }
}
