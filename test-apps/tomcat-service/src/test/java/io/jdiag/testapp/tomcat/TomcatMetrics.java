package io.jdiag.testapp.tomcat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the agent's worker-pool gauges of the Tomcat server from {@code /metrics} text, whatever the pool label. */
final class TomcatMetrics {
    private TomcatMetrics() {
    }

    /**
     * Every sample of {@code jdiag_http_server_workers_<gauge>{server="tomcat",pool=...}}, by pool label
     * (in order of appearance); empty when there is none.
     */
    static Map<String, Double> workers(String metrics, String gauge) {
        Pattern p = Pattern.compile("(?m)^jdiag_http_server_workers_" + Pattern.quote(gauge)
                + "\\{server=\"tomcat\",pool=\"([^\"]*)\",?\\} (\\S+)$");
        Map<String, Double> byPool = new LinkedHashMap<>();
        Matcher m = p.matcher(metrics);
        while (m.find()) {
            byPool.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return byPool;
    }
}
