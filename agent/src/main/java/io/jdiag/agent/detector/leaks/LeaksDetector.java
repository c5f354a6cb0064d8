package io.jdiag.agent.detector.leaks;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jdiag.agent.core.ConfigKey;
import io.jdiag.agent.core.Detector;
import io.jdiag.agent.report.FindingEvent;
import io.prometheus.client.CollectorRegistry;
import java.io.File;
import java.util.ArrayList;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.agent.report.ReportSection;
import io.jdiag.bootstrap.LeaksHooks;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code leaks}: resources that become unreachable without {@code close()}. Files, sockets and
 * zips here; JDBC and HTTP responses join through the same hooks.
 */
public final class LeaksDetector implements Detector {
    /** How often the agent thread looks for collected, unclosed resources. */
    static final long POLL_MILLIS = 200;
    /** Resolution of the open-time stamps (ages are reported in seconds). */
    static final long CLOCK_MILLIS = 100;
    static final int LONG_OPEN_LIMIT = 20;

    static final ConfigKey SAMPLE_RATE = ConfigKey.fraction("leaks.sample.rate", "1",
            "fraction of opened resources whose opening stack is captured");
    static final ConfigKey LONG_OPEN_THRESHOLD = ConfigKey.duration("leaks.long-open.threshold", "5m",
            "resources open longer are listed as long-open (not leaks)");
    static final ConfigKey MAX_TRACKED = ConfigKey.integer("leaks.max-tracked", "200000",
            "most resources tracked at once; beyond, new ones are counted but not tracked");

    private LeaksAnalyzer analyzer;

    @Override
    public String name() {
        return "leaks";
    }

    @Override
    public String description() {
        return "unclosed-resource detector";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return Arrays.asList(SAMPLE_RATE, LONG_OPEN_THRESHOLD, MAX_TRACKED);
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        return Arrays.asList(new FileStreamInstrumentation(), new FileChannelInstrumentation(),
                new SocketImplInstrumentation(), new SocketChannelInstrumentation(), new ZipFileInstrumentation(),
                new UrlConnectionResponseInstrumentation(), new UrlConnectionKeepAliveInstrumentation(),
                new Apache4ResponseInstrumentation(), new Apache4ConnectionHolderInstrumentation(),
                new Apache5ResponseInstrumentation(), new Apache5ExecRuntimeInstrumentation(), new OkHttpResponseInstrumentation(),
                new JdbcDriverManagerInstrumentation(), new JdbcDataSourceInstrumentation(), new JdbcConnectionInstrumentation(),
                new JdbcStatementInstrumentation(), new JdbcResultSetInstrumentation());
    }

    @Override
    public void start(DetectorContext context) {
        LeaksMetrics metrics = new LeaksMetrics().register(context.registry());
        analyzer = new LeaksAnalyzer(context.config().fraction(SAMPLE_RATE),
                context.config().integer(MAX_TRACKED), metrics, context.findings()::record);
        LeaksHooks.install(analyzer);
        context.every(POLL_MILLIS, analyzer::pollLeaks);
        context.every(CLOCK_MILLIS, analyzer::tick);
        context.addReportSection(new LeaksSection(analyzer, context.config().nanos(LONG_OPEN_THRESHOLD) / 1_000_000));
    }

    @Override
    public void warmUp() {
        warmUp(new ArrayList<>());
    }

    /**
     * The real hook path, on a throw-away analyzer whose metrics nobody scrapes: a file opened and
     * closed, one opened and found collected unclosed (a leak, through the same reference queue the
     * collector would use), so that everything {@code FileInputStream.<init>} and {@code close()}
     * reach on an application thread is loaded now.
     *
     * @param findings receives the warm-up's findings (dropped in production; a test looks)
     * @return the throw-away metrics, for the test that pins this path
     */
    static LeaksMetrics warmUp(List<FindingEvent> findings) {
        LeaksMetrics metrics = new LeaksMetrics().register(new CollectorRegistry());
        LeaksAnalyzer a = new LeaksAnalyzer(1.0, 16, metrics, findings::add);
        Object closed = new Object();
        a.opened(closed, ResourceType.FILE.label, new File("warmup"));
        a.describe(closed, "warmup");
        a.closed(closed);
        Object leaked = new Object();
        a.opened(leaked, ResourceType.FILE.label, new File("warmup"));
        a.collectedForWarmUp(leaked);
        Object connection = new Object();
        Object statement = new Object();
        a.openedBy(statement, ResourceType.JDBC_STATEMENT.label, connection);
        a.openedBy(new Object(), ResourceType.JDBC_RESULTSET.label, statement);
        a.closedWithChildren(connection);
        a.pollLeaks();
        a.longOpen(0, 1);
        return metrics;
    }

    @Override
    public void stop() {
        LeaksHooks.install(null);
    }

    /** Report section {@code "leaks"}: long-open resources and leaks whose stack was not sampled. */
    static final class LeaksSection implements ReportSection {
        private final LeaksAnalyzer analyzer;
        private final long longOpenMillis;

        LeaksSection(LeaksAnalyzer analyzer, long longOpenMillis) {
            this.analyzer = analyzer;
            this.longOpenMillis = longOpenMillis;
        }

        @Override
        public String name() {
            return "leaks";
        }

        @Override
        public void writeJson(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeNumberField("tracked", analyzer.liveCount());
            g.writeObjectFieldStart("unsampledLeaks");
            for (ResourceType t : ResourceType.ALL) {
                if (analyzer.unsampledLeaks(t) > 0) {
                    g.writeNumberField(t.label, analyzer.unsampledLeaks(t));
                }
            }
            g.writeEndObject();
            g.writeNumberField("longOpenThresholdSeconds", longOpenMillis / 1000.0);
            g.writeArrayFieldStart("longOpen");
            for (LeaksAnalyzer.LongOpenGroup o : analyzer.longOpen(longOpenMillis, LONG_OPEN_LIMIT)) {
                g.writeStartObject();
                g.writeStringField("type", o.type);
                g.writeStringField("api", o.api);
                g.writeStringField("site", o.site);
                g.writeNumberField("count", o.count);
                g.writeNumberField("oldestSeconds", o.oldestMillis / 1000.0);
                if (o.route != null) {
                    g.writeStringField("route", o.route);
                }
                if (o.example != null) {
                    g.writeStringField("example", o.example);
                }
                g.writeArrayFieldStart("stack");
                for (String f : o.stack.subList(0, Math.min(o.stack.size(), 16))) {
                    g.writeString(f);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        @Override
        public void writeText(StringBuilder out) {
            List<LeaksAnalyzer.LongOpenGroup> groups = analyzer.longOpen(longOpenMillis, LONG_OPEN_LIMIT);
            if (!groups.isEmpty()) {
                out.append("\nLong-open resources (open longer than ").append(longOpenMillis / 1000)
                        .append(" s; not counted as leaks):\n");
                for (LeaksAnalyzer.LongOpenGroup o : groups) {
                    out.append("  ").append(o.count).append(" x ").append(o.api).append(" (").append(o.type)
                            .append("), oldest ").append(o.oldestMillis / 1000).append(" s, opened at ").append(o.site);
                    if (o.example != null) {
                        out.append(", e.g. ").append(o.example);
                    }
                    out.append('\n');
                }
            }
            for (ResourceType t : ResourceType.ALL) {
                long n = analyzer.unsampledLeaks(t);
                if (n > 0) {
                    out.append("\n").append(n).append(" ").append(t.label)
                            .append(" leak(s) had no sampled stack (leaks.sample.rate < 1); see jdiag_resources_leaked_total\n");
                }
            }
        }
    }
}
