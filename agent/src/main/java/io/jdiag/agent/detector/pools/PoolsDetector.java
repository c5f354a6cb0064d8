package io.jdiag.agent.detector.pools;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jdiag.agent.core.ConfigKey;
import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.agent.core.WarmUpContext;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.ReportSection;
import io.jdiag.bootstrap.PoolsHooks;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code pools}: connection pools that run dry ({@code pool_exhausted}) and connections held too long
 * or never returned ({@code connection_leak}), in JDBC pools (HikariCP, Commons DBCP2, Tomcat JDBC; any
 * other {@code DataSource} is timed) and HTTP-client pools (Apache HttpClient 4 and 5).
 *
 * <p>A pool is found when it is first used, whether it was created before or after the agent came
 * (a hot attach retransforms the pool classes already loaded).
 */
public final class PoolsDetector implements Detector {
    /** How often the agent thread reads the pools' statistics and looks for shortages and leaks. */
    static final long POLL_MILLIS = 200;

    static final ConfigKey ACQUIRE_THRESHOLD = ConfigKey.duration("pools.acquire.threshold", "100ms",
            "an acquire waiting longer counts as pool exhaustion");
    static final ConfigKey LEAK_THRESHOLD = ConfigKey.duration("pools.leak.threshold", "30s",
            "a connection held longer is a suspected leak");
    static final ConfigKey STACK_SAMPLE_RATE = ConfigKey.fraction("pools.stack.sample.rate", "0",
            "fraction of borrows whose stack is captured before their pool showed a leak (after one, all are, for 10 minutes)");

    private PoolsAnalyzer analyzer;
    private DetectorContext context;

    @Override
    public String name() {
        return "pools";
    }

    @Override
    public String description() {
        return "connection-pool detector";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return Arrays.asList(ACQUIRE_THRESHOLD, LEAK_THRESHOLD, STACK_SAMPLE_RATE);
    }

    /** The pools and the JDBC drivers below them: a stack that holds a connection runs through them. */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("com.zaxxer.hikari.", "org.apache.commons.dbcp2.", "org.apache.commons.pool2.",
                "org.apache.tomcat.jdbc.", "org.apache.tomcat.dbcp.", "org.apache.http.", "org.apache.hc.",
                "org.postgresql.", "org.h2.", "com.mysql.", "org.mariadb.", "oracle.jdbc.", "com.microsoft.sqlserver.",
                "org.hsqldb.", "org.apache.derby.", "org.sqlite.", "com.ibm.db2.");
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        return Arrays.asList(new HikariPoolInstrumentation(),
                new Dbcp2DataSourceInstrumentation(), new Dbcp2ConnectionInstrumentation(),
                new TomcatConnectionPoolInstrumentation(), new DataSourceInstrumentation(),
                new Apache4ConnManagerInstrumentation(), new Apache5LeaseRequestInstrumentation(),
                new Apache5ConnManagerInstrumentation());
    }

    @Override
    public void start(DetectorContext context) {
        this.context = context;
        analyzer = newAnalyzer(context, context.findings()::record);
        new PoolsMetrics(analyzer).registerIn(context.registry());
        PoolsHooks.install(analyzer);
        context.every(POLL_MILLIS, analyzer::poll);
        context.addReportSection(new PoolsSection(analyzer));
    }

    static PoolsAnalyzer newAnalyzer(DetectorContext context, Consumer<FindingEvent> findings) {
        return new PoolsAnalyzer(context.config().nanos(ACQUIRE_THRESHOLD), context.config().nanos(LEAK_THRESHOLD),
                context.config().fraction(STACK_SAMPLE_RATE), context.events(), findings);
    }

    @Override
    public void warmUp() {
        WarmUpContext scratch = new WarmUpContext(context.config());
        warmUp(newAnalyzer(scratch, f -> { }), scratch);
    }

    /**
     * The real hook path on a throw-away analyzer: a borrow and return (of a HikariCP-shaped proxy), a
     * slow borrow that opens a shortage, a return during it, a watched borrow, a failed
     * acquire, a leak and the shortage's end, so that everything an application thread or the agent
     * thread reaches is loaded before any hook runs.
     */
    static void warmUp(PoolsAnalyzer a, WarmUpContext scratch) {
        Object pool = new Object();
        WarmUpProxy proxy = new WarmUpProxy();
        long now = System.nanoTime();
        a.acquired(PoolsHooks.HIKARI, pool, proxy, now);
        a.released(PoolsHooks.HIKARI, proxy.poolEntry);
        a.acquired(PoolsHooks.HIKARI, pool, proxy, now - 60_000_000_000L);
        a.poll(now);
        a.released(PoolsHooks.HIKARI, proxy.poolEntry);
        scratch.drain();
        for (PoolState p : a.pools()) {
            p.watchUntil = System.nanoTime() + PoolsAnalyzer.WATCH_NANOS;
        }
        a.acquired(PoolsHooks.HIKARI, pool, proxy, System.nanoTime());
        a.acquireFailed(PoolsHooks.HIKARI, pool, new java.util.concurrent.TimeoutException(), System.nanoTime());
        a.poll(now + 3_600_000_000_000L);
        a.released(PoolsHooks.HIKARI, proxy.poolEntry);
        a.poll(now + 7_200_000_000_000L);
        a.acquired(PoolsHooks.DATASOURCE, new Object(), null, System.nanoTime());
        // the generic data source's per-thread depth, through the real hook but without recording
        // (the hook's sink is the real analyzer by now): an outer call unwound as if it were nested
        long start = PoolsHooks.dataSourceEnter();
        PoolsHooks.dataSourceExit(pool, null, start == 0 ? 0 : PoolsHooks.NESTED);
        new PoolsMetrics(a).registerIn(new CollectorRegistry()).collect();
    }

    /** Shaped like a HikariCP {@code ProxyConnection}: its {@code poolEntry} is the pool's entry. */
    static final class WarmUpProxy {
        final Object poolEntry = new Object();
    }

    @Override
    public void stop() {
        PoolsHooks.install(null);
    }

    /** Report section {@code "pools"}: every pool found, with its size and what it measured. */
    static final class PoolsSection implements ReportSection {
        private final PoolsAnalyzer analyzer;

        PoolsSection(PoolsAnalyzer analyzer) {
            this.analyzer = analyzer;
        }

        @Override
        public String name() {
            return "pools";
        }

        private List<PoolState> sorted() {
            List<PoolState> pools = new ArrayList<>(analyzer.pools());
            pools.sort(Comparator.comparing((PoolState p) -> p.name));
            return pools;
        }

        @Override
        public void writeJson(JsonGenerator g) throws IOException {
            g.writeStartArray();
            for (PoolState p : sorted()) {
                PoolLibrary.Stats s = p.stats;
                BucketHistogram.Snapshot acquire = p.acquire.snapshot();
                BucketHistogram.Snapshot held = p.held.snapshot();
                g.writeStartObject();
                g.writeStringField("pool", p.name);
                g.writeStringField("kind", p.kind());
                g.writeStringField("library", p.library.label);
                if (p.library.hasStats() && s.known()) {
                    g.writeNumberField("max", s.max);
                    g.writeNumberField("active", s.active);
                    g.writeNumberField("idle", s.idle);
                    g.writeNumberField("pending", s.pending);
                }
                g.writeNumberField("acquires", acquire.count());
                g.writeNumberField("acquireP99Seconds", Episode.round(orZero(acquire.quantileSeconds(0.99))));
                g.writeNumberField("returns", held.count());
                g.writeNumberField("heldP50Seconds", Episode.round(orZero(held.quantileSeconds(0.5))));
                g.writeNumberField("exhausted", p.exhausted.sum());
                g.writeNumberField("timeouts", p.timeouts.sum());
                g.writeNumberField("leaksSuspected", p.leaks.sum());
                g.writeEndObject();
            }
            g.writeEndArray();
        }

        private static double orZero(double v) {
            return Double.isNaN(v) ? 0 : v;
        }

        @Override
        public void writeText(StringBuilder out) {
            List<PoolState> pools = sorted();
            if (pools.isEmpty()) {
                return;
            }
            out.append("\nConnection pools:\n");
            for (PoolState p : pools) {
                PoolLibrary.Stats s = p.stats;
                BucketHistogram.Snapshot acquire = p.acquire.snapshot();
                out.append("  ").append(p.name).append(" (").append(p.library.label).append(", ").append(p.kind()).append(")");
                if (p.library.hasStats() && s.known()) {
                    out.append(": max ").append(s.max).append(", active ").append(s.active).append(", idle ").append(s.idle)
                            .append(", waiting ").append(s.pending);
                }
                out.append("; ").append(acquire.count()).append(" acquires, p99 ")
                        .append(Episode.seconds(acquire.quantileSeconds(0.99)))
                        .append("; exhausted ").append(p.exhausted.sum()).append(", timeouts ").append(p.timeouts.sum())
                        .append(", leaks suspected ").append(p.leaks.sum()).append('\n');
            }
        }
    }
}
