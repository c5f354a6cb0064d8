package io.jdiag.agent.detector.http;

import io.jdiag.agent.export.LatencyHistogram;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Server-side http metrics, built at scrape time from the analyzer's series and pools. */
final class HttpMetrics extends Collector {
    private static final List<String> SERVER_LABELS = Arrays.asList("server", "method", "route", "status");
    private final HttpServerAnalyzer analyzer;

    HttpMetrics(HttpServerAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<Sample> samples = new ArrayList<>();
        for (Map<String, HttpServerAnalyzer.RouteSeries> byRoute : analyzer.series().values()) {
            for (HttpServerAnalyzer.RouteSeries s : byRoute.values()) {
                for (int status = 0; status < s.byStatus.length(); status++) {
                    LatencyHistogram h = s.byStatus.get(status);
                    if (h != null) {
                        h.addSamples("jdiag_http_server_requests_seconds", SERVER_LABELS,
                                Arrays.asList(s.server, s.method, s.template, status == 0 ? "other" : Integer.toString(status)),
                                samples);
                    }
                }
            }
        }
        GaugeMetricFamily active = new GaugeMetricFamily("jdiag_http_server_requests_active",
                "Requests being served now", Arrays.asList("server"));
        for (Map.Entry<String, LongAdder> e : analyzer.activeByServer().entrySet()) {
            active.addMetric(Arrays.asList(e.getKey()), Math.max(0, e.getValue().sum()));
        }
        List<String> poolLabels = Arrays.asList("server", "pool");
        GaugeMetricFamily busy = new GaugeMetricFamily("jdiag_http_server_workers_busy", "Worker threads busy", poolLabels);
        GaugeMetricFamily max = new GaugeMetricFamily("jdiag_http_server_workers_max", "Worker threads at most", poolLabels);
        GaugeMetricFamily queued = new GaugeMetricFamily("jdiag_http_server_workers_queued",
                "Jobs (requests) waiting for a worker thread", poolLabels);
        for (WorkerPools.State s : analyzer.poolStates()) {
            List<String> v = Arrays.asList(s.server, s.name);
            busy.addMetric(v, s.busy);
            max.addMetric(v, s.max);
            queued.addMetric(v, s.queued);
        }
        return Arrays.asList(
                LatencyHistogram.family("jdiag_http_server_requests_seconds",
                        "Server request latency by route template and status", samples),
                active, busy, max, queued);
    }
}
