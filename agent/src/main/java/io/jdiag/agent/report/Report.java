package io.jdiag.agent.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Renders the findings report: JSON ({@code jdiag-report/1}, for tools and {@code jdiag report
 * --json}) and text (for people). Holds no state of its own beyond what to render.
 */
public final class Report {
    public static final String SCHEMA = "jdiag-report/1";
    /**
     * No buffer recycling: Jackson's default pool keeps its buffers in a thread-local of every thread
     * that rendered a report, and the report is also written on the JVM's attach thread (at detach,
     * with {@code report.dir}), which lives on: that thread-local would pin the agent class loader.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.nonRecyclingPool())
            .build();

    private final FindingsStore store;
    private final String version;
    private final String mode;
    private final Supplier<Map<String, Boolean>> detectors;
    private final Supplier<Map<String, String>> detectorErrors;
    private final List<ReportSection> sections = new CopyOnWriteArrayList<>();

    /**
     * @param detectors      detector name → whether it runs
     * @param detectorErrors detector name → why it is off, for the detectors that failed
     */
    public Report(FindingsStore store, String version, String mode, Supplier<Map<String, Boolean>> detectors,
                  Supplier<Map<String, String>> detectorErrors) {
        this.store = store;
        this.version = version;
        this.mode = mode;
        this.detectors = detectors;
        this.detectorErrors = detectorErrors;
    }

    public void addSection(ReportSection section) {
        sections.add(section);
    }

    /** Takes back a section of a detector that was turned off. */
    public void removeSection(ReportSection section) {
        sections.remove(section);
    }

    public String json() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            writeJson(g);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen with a StringWriter", e);
        }
        return out.toString();
    }

    private void writeJson(JsonGenerator g) throws IOException {
        List<Finding.Snapshot> findings = store.snapshot();
        g.writeStartObject();
        g.writeStringField("schema", SCHEMA);
        g.writeStringField("generatedAt", Instant.now().toString());
        g.writeObjectFieldStart("jvm");
        g.writeNumberField("pid", ProcessHandle.current().pid());
        g.writeStringField("mainClass", mainClass());
        g.writeStringField("javaVersion", System.getProperty("java.version"));
        g.writeNumberField("uptimeSeconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
        g.writeEndObject();
        g.writeObjectFieldStart("agent");
        g.writeStringField("version", version);
        g.writeStringField("mode", mode);
        g.writeObjectFieldStart("detectors");
        for (Map.Entry<String, Boolean> d : detectors.get().entrySet()) {
            g.writeBooleanField(d.getKey(), d.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("detectorErrors");
        for (Map.Entry<String, String> d : detectorErrors.get().entrySet()) {
            g.writeStringField(d.getKey(), d.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
        g.writeNumberField("findingsDropped", store.dropped());
        g.writeArrayFieldStart("findings");
        for (Finding.Snapshot f : findings) {
            writeFinding(g, f);
        }
        g.writeEndArray();
        for (ReportSection s : sections) {
            g.writeFieldName(s.name());
            s.writeJson(g);
        }
        g.writeEndObject();
    }

    private static void writeFinding(JsonGenerator g, Finding.Snapshot f) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", f.id);
        g.writeStringField("detector", f.detector);
        g.writeStringField("kind", f.kind);
        g.writeStringField("severity", f.severity);
        g.writeStringField("origin", f.origin);
        g.writeStringField("summary", f.summaryWithCount());
        g.writeNumberField("count", f.count);
        g.writeStringField("firstSeen", Instant.ofEpochMilli(f.firstSeen).toString());
        g.writeStringField("lastSeen", Instant.ofEpochMilli(f.lastSeen).toString());
        if (f.route != null) {
            g.writeStringField("route", f.route);
        }
        if (f.thread != null) {
            g.writeStringField("thread", f.thread);
        }
        if (f.resourceType != null) {
            g.writeObjectFieldStart("resource");
            g.writeStringField("type", f.resourceType);
            g.writeStringField("description", f.resourceDescription);
            g.writeEndObject();
        }
        g.writeArrayFieldStart("stack");
        for (String frame : f.stack) {
            g.writeString(frame);
        }
        g.writeEndArray();
        if (f.advice != null) {
            g.writeStringField("advice", f.advice);
        }
        g.writeObjectFieldStart("details");
        for (Map.Entry<String, Object> d : f.details.entrySet()) {
            writeScalar(g, d.getKey(), d.getValue());
        }
        if (f.routes.size() > 1) {
            g.writeObjectFieldStart("routes");
            for (Map.Entry<String, Long> r : f.routes.entrySet()) {
                g.writeNumberField(r.getKey(), r.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeScalar(JsonGenerator g, String key, Object v) throws IOException {
        if (v instanceof Long || v instanceof Integer) {
            g.writeNumberField(key, ((Number) v).longValue());
        } else if (v instanceof Number) {
            g.writeNumberField(key, ((Number) v).doubleValue());
        } else if (v instanceof Boolean) {
            g.writeBooleanField(key, (Boolean) v);
        } else {
            g.writeStringField(key, String.valueOf(v));
        }
    }

    public String text() {
        List<Finding.Snapshot> findings = store.snapshot();
        StringBuilder out = new StringBuilder();
        out.append("jdiag report — pid ").append(ProcessHandle.current().pid())
                .append(", ").append(mainClass())
                .append(", Java ").append(System.getProperty("java.version"))
                .append(", agent ").append(version).append(" (").append(mode).append(")\n");
        out.append("generated ").append(Instant.now()).append('\n');
        for (Map.Entry<String, String> d : detectorErrors.get().entrySet()) {
            out.append("detector ").append(d.getKey()).append(" is off: ").append(d.getValue()).append('\n');
        }
        out.append(findings.isEmpty() ? "\nNo findings.\n" : "\n" + findings.size() + " finding(s):\n");
        int n = 0;
        for (Finding.Snapshot f : findings) {
            n++;
            out.append('\n').append(n).append(". [").append(f.severity).append("] ")
                    .append(f.detector).append('/').append(f.kind).append(": ").append(f.summaryWithCount())
                    .append(Finding.LIBRARY.equals(f.origin) ? " (library internals: no application frame in the stack)" : "")
                    .append('\n');
            if (f.route != null) {
                out.append("   route:    ").append(f.route).append('\n');
            }
            if (f.resourceType != null) {
                out.append("   resource: ").append(f.resourceType).append(' ').append(f.resourceDescription).append('\n');
            }
            out.append("   seen:     ").append(Instant.ofEpochMilli(f.firstSeen)).append(" .. ")
                    .append(Instant.ofEpochMilli(f.lastSeen)).append(f.thread == null ? "" : ", thread " + f.thread).append('\n');
            if (!f.stack.isEmpty()) {
                out.append("   at:\n");
                int shown = 0;
                for (String frame : f.stack) {
                    if (shown++ == 12) {
                        out.append("        ... ").append(f.stack.size() - 12).append(" more\n");
                        break;
                    }
                    out.append("        ").append(frame).append('\n');
                }
            }
            if (f.advice != null) {
                out.append("   fix:      ").append(f.advice).append('\n');
            }
        }
        if (store.dropped() > 0) {
            out.append('\n').append(store.dropped()).append(" occurrence(s) of further sites dropped (report.max-findings reached)\n");
        }
        for (ReportSection s : sections) {
            s.writeText(out);
        }
        return out.toString();
    }

    /** The main class or jar, from the launcher's command line; never its arguments. */
    static String mainClass() {
        String command = System.getProperty("sun.java.command", "");
        int space = command.indexOf(' ');
        String main = space < 0 ? command : command.substring(0, space);
        return main.isEmpty() ? "unknown" : main;
    }
}
