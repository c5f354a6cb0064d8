package io.jdiag.testapp.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads samples out of Prometheus text by name and a subset of labels, for metrics whose other labels
 * a test does not know in advance (a downstream's random port, a status).
 */
public final class MetricSamples {
    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( \\S+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private MetricSamples() {
    }

    /** The sum of every sample named {@code name} whose labels include all of {@code labels}; 0 when none. */
    public static double sum(String metricsText, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : metricsText.split("\n")) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> actual = labels(m.group(3));
            if (actual.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(m.group(4));
            }
        }
        return sum;
    }

    /** Whether any sample named {@code name} has all of {@code labels}. */
    public static boolean present(String metricsText, String name, Map<String, String> labels) {
        for (String line : metricsText.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!line.startsWith("#") && m.matches() && m.group(1).equals(name)
                    && labels(m.group(3)).entrySet().containsAll(labels.entrySet())) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text != null) {
            Matcher l = LABEL.matcher(text);
            while (l.find()) {
                out.put(l.group(1), l.group(2));
            }
        }
        return out;
    }
}
