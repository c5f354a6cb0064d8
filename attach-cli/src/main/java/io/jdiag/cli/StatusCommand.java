package io.jdiag.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jdiag status <pid>}: agent version, mode, endpoint, detector states and number of findings. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the jdiag agent in a JVM: version, mode, endpoint, detectors and number of findings.")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PidParameter pid;

    @Mixin
    Options.LoginOptions login;

    @Override
    public Integer call() {
        long target = pid.pid();
        AgentState state = AgentLookup.require(target);
        Table table = new Table();
        table.row("pid", Long.toString(target));
        table.row("version", state.version);
        table.row("mode", state.mode == null ? "unknown" : state.mode);
        table.row("endpoint", state.endpointText());
        if (state.endpoint != null && !state.endpointOff()) {
            URI base = AgentLookup.requireEndpoint(target, state);
            String json = new EndpointClient(target, base, login.user, login.passwordFile).get("report");
            Summary summary = Summary.of(target, json);
            table.row("detectors", summary.detectors);
            table.row("findings", summary.findings);
        } else {
            table.row("detectors", "unknown (no endpoint)");
            table.row("findings", "unknown (no endpoint)");
        }
        PrintWriter out = spec.commandLine().getOut();
        table.printKeyValues(out);
        return 0;
    }

    /** The lines of the status that come from the report. */
    static final class Summary {
        final String detectors;
        final String findings;

        private Summary(String detectors, String findings) {
            this.detectors = detectors;
            this.findings = findings;
        }

        /**
         * e.g. detectors {@code leaks on, pools off, blocking failed (failed to start: ...)}; findings
         * {@code 3 (leaks 2, pools 1)}.
         */
        static Summary of(long pid, String reportJson) {
            Map<String, Object> report;
            try {
                Object parsed = Json.parse(reportJson);
                if (!(parsed instanceof Map)) {
                    throw new IOException("not a JSON object");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) parsed;
                report = map;
            } catch (IOException e) {
                throw new CliException("jdiag: the report of " + pid + " is not valid JSON (" + e.getMessage()
                        + "); is the CLI of the same version as the agent?", e);
            }
            List<String> detectorStates = new ArrayList<>();
            Map<String, Object> errors = Json.object(Json.object(report, "agent"), "detectorErrors");
            for (Map.Entry<String, Object> d : Json.object(Json.object(report, "agent"), "detectors").entrySet()) {
                Object error = errors.get(d.getKey());
                detectorStates.add(d.getKey() + (Boolean.TRUE.equals(d.getValue()) ? " on"
                        : error != null ? " failed (" + error + ")" : " off"));
            }
            Map<String, Long> byDetector = new LinkedHashMap<>();
            List<Object> findings = Json.array(report, "findings");
            for (Object f : findings) {
                if (f instanceof Map) {
                    Object detector = ((Map<?, ?>) f).get("detector");
                    byDetector.merge(String.valueOf(detector), 1L, Long::sum);
                }
            }
            StringBuilder text = new StringBuilder().append(findings.size());
            if (!byDetector.isEmpty()) {
                List<String> parts = new ArrayList<>();
                byDetector.forEach((d, n) -> parts.add(d + " " + n));
                text.append(" (").append(String.join(", ", parts)).append(')');
            }
            Object dropped = report.get("findingsDropped");
            if (dropped instanceof Number && ((Number) dropped).longValue() > 0) {
                text.append(", ").append(dropped).append(" more dropped (report full)");
            }
            return new Summary(detectorStates.isEmpty() ? "none" : String.join(", ", detectorStates), text.toString());
        }
    }
}
