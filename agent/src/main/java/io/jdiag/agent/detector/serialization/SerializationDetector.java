package io.jdiag.agent.detector.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jdiag.agent.core.ConfigKey;
import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.core.RequestTimes;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.ReportSection;
import io.jdiag.bootstrap.SerializationHooks;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@code serialization}: JSON (Jackson, Gson) and Java serialization on hot paths — its time and size
 * per library and operation, calls slower than {@code serialization.threshold}, and per route the share
 * of request time spent (de)serializing: the hotspot view a profiler would give, without one.
 */
public final class SerializationDetector implements Detector {
    static final ConfigKey THRESHOLD = ConfigKey.duration("serialization.threshold", "50ms",
            "one (de)serialization call slower than this is flagged");
    /** Routes shown in the report's hotspot view. */
    static final int REPORT_ROUTES = 20;

    private SerializationAnalyzer analyzer;
    private SerializationMetrics metrics;

    @Override
    public String name() {
        return "serialization";
    }

    @Override
    public String description() {
        return "slow-serialization detector";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return Collections.singletonList(THRESHOLD);
    }

    /** The serializers themselves: the site is the application's call into them. */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("com.fasterxml.jackson.", "com.google.gson.");
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        return Arrays.asList(new JacksonInstrumentation.Mapper(), new JacksonInstrumentation.Writer(),
                new JacksonInstrumentation.Reader(), new GsonInstrumentation(),
                new JavaSerializationInstrumentation.Output(), new JavaSerializationInstrumentation.Input());
    }

    @Override
    public void start(DetectorContext context) {
        metrics = new SerializationMetrics().registerIn(context.registry());
        analyzer = new SerializationAnalyzer(context.config().nanos(THRESHOLD), metrics, context.events(),
                context.findings()::record, context.requestTimes());
        SerializationHooks.install(analyzer);
        metrics.bind(SerializationHooks.generation());
        context.addReportSection(new HotspotSection(analyzer));
    }

    @Override
    public void warmUp() {
        warmUp(new ArrayList<>());
    }

    /**
     * The real hook path on a throw-away analyzer (metrics nobody scrapes, findings dropped) whose
     * threshold every call passes, inside a route: timing, sizes, route totals, the slow path, the event,
     * the held-back first slow call and the findings all load their classes now. The real sink is put back afterwards (no advice is
     * installed yet). Returns the throw-away metrics' totals, for the test that pins this path.
     */
    long[] warmUp(List<FindingEvent> findings) {
        SerializationMetrics scratchMetrics = new SerializationMetrics().registerIn(new CollectorRegistry());
        EventPipeline events = new EventPipeline(16);
        SerializationAnalyzer scratch = new SerializationAnalyzer(-1, scratchMetrics, events, findings::add, new RequestTimes());
        SerializationHooks.install(scratch);
        scratchMetrics.bind(SerializationHooks.generation());
        long[] totals;
        String previous = io.jdiag.bootstrap.RequestContext.enter("GET /warmup");
        try {
            Object frame = SerializationHooks.enter();
            SerializationHooks.exit(SerializationHooks.enter(), SerializationHooks.GSON, SerializationHooks.SERIALIZE, "nested", null);
            SerializationHooks.exit(frame, SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, "warm-up", new byte[1]);
            // slow twice: the second makes both findings (a type slow once is held back)
            SerializationHooks.exit(SerializationHooks.enter(), SerializationHooks.JACKSON, SerializationHooks.SERIALIZE,
                    "warm-up", new byte[1]);
            SerializationHooks.exit(SerializationHooks.enter(), SerializationHooks.JAVA, SerializationHooks.DESERIALIZE, null, "{}");
            events.drain(16);
            new HotspotSection(scratch).writeText(new StringBuilder());
            scratchMetrics.collect();
            totals = scratchMetrics.totals();
        } finally {
            io.jdiag.bootstrap.RequestContext.exit(previous);
            SerializationHooks.install(analyzer);
            metrics.bind(SerializationHooks.generation());
        }
        return totals;
    }

    @Override
    public void stop() {
        SerializationHooks.install(null);
    }

    /** Report section {@code "serialization"}: per route, the share of request time spent (de)serializing. */
    static final class HotspotSection implements ReportSection {
        private final SerializationAnalyzer analyzer;

        HotspotSection(SerializationAnalyzer analyzer) {
            this.analyzer = analyzer;
        }

        @Override
        public String name() {
            return "serialization";
        }

        @Override
        public void writeJson(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeNumberField("thresholdSeconds", analyzer.thresholdNanos() / 1e9);
            g.writeArrayFieldStart("routes");
            for (SerializationAnalyzer.RouteShare s : analyzer.shares(REPORT_ROUTES)) {
                g.writeStartObject();
                g.writeStringField("route", s.route);
                g.writeNumberField("calls", s.calls);
                g.writeNumberField("serializationSeconds", s.serializationNanos / 1e9);
                g.writeNumberField("requests", s.requests);
                g.writeNumberField("requestSeconds", s.requestNanos / 1e9);
                if (s.share() >= 0) {
                    g.writeNumberField("share", Math.round(s.share() * 1000) / 1000.0);
                } else {
                    g.writeNullField("share");
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        @Override
        public void writeText(StringBuilder out) {
            List<SerializationAnalyzer.RouteShare> shares = analyzer.shares(REPORT_ROUTES);
            if (shares.isEmpty()) {
                return;
            }
            out.append("\nTime spent (de)serializing, per route (share of the route's request time):\n");
            for (SerializationAnalyzer.RouteShare s : shares) {
                out.append("  ").append(s.share() >= 0 ? String.format(Locale.ROOT, "%5.1f%%", s.share() * 100) : "    ?")
                        .append("  ").append(s.route).append(": ")
                        .append(String.format(Locale.ROOT, "%.3f s in %d call(s)", s.serializationNanos / 1e9, s.calls));
                if (s.requests > 0) {
                    out.append(String.format(Locale.ROOT, " of %.3f s in %d request(s)", s.requestNanos / 1e9, s.requests));
                } else {
                    out.append(" (request time unknown: the http detector is off or has not seen this route end)");
                }
                out.append('\n');
            }
        }
    }
}
