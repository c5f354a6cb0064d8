package io.jdiag.agent.detector.leaks;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jdiag.agent.core.ConfigKey;
import io.jdiag.agent.core.Detector;
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

    private LeaksAnalyzer analyzer;

    @Override
    public String name() {
        return "leaks";
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        return Arrays.asList(new FileStreamInstrumentation(), new FileChannelInstrumentation(),
                new SocketImplInstrumentation(), new SocketChannelInstrumentation(), new ZipFileInstrumentation(),
                new UrlConnectionResponseInstrumentation(), new UrlConnectionKeepAliveInstrumentation(),
                new Apache4ResponseInstrumentation(), new Apache4ConnectionHolderInstrumentation(),
                new Apache5ResponseInstrumentation(), new Apache5ExecRuntimeInstrumentation(), new OkHttpResponseInstrumentation());
    }

    @Override
    public void start(DetectorContext context) {
        LeaksMetrics metrics = new LeaksMetrics().register(context.registry());
        analyzer = new LeaksAnalyzer(context.config().fraction(ConfigKey.LEAKS_SAMPLE_RATE),
                context.config().integer(ConfigKey.LEAKS_MAX_TRACKED), metrics, context.findings()::record);
        // Run the hook path once on a dummy so every class it needs is loaded now, not inside the
        // first FileInputStream constructor of the application.
        Object warmup = new Object();
        analyzer.opened(warmup, "warmup", null);
        analyzer.closed(warmup);
        analyzer.describe(warmup, null);
        LeaksHooks.install(analyzer);
        context.every(POLL_MILLIS, analyzer::pollLeaks);
        context.every(CLOCK_MILLIS, analyzer::tick);
        context.addReportSection(new LeaksSection(analyzer, context.config().nanos(ConfigKey.LEAKS_LONG_OPEN_THRESHOLD) / 1_000_000));
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
