package io.jdiag.agent.detector.http;

import io.jdiag.agent.export.LatencyHistogram;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code jdiag_http_client_requests_seconds{client,host,status}} (histogram) and
 * {@code jdiag_http_client_missing_timeout_total{client,host,timeout}}. Application threads record into
 * the {@link ClientHost} slots (an HdrHistogram recorder, a {@code LongAdder}); the families are built
 * at scrape time.
 *
 * <p>Bounded: hosts are capped by {@link ClientHosts}, statuses are HTTP codes or {@code error}, and at
 * most {@link #MAX_SERIES} latency series are created (each holds HdrHistograms of up to ~90 KiB when its
 * latencies span microseconds to seconds); beyond, a new series is folded into the {@code other} host.
 */
final class ClientMetrics extends Collector {
    static final String LATENCY = "jdiag_http_client_requests_seconds";
    static final String MISSING = "jdiag_http_client_missing_timeout_total";
    static final int MAX_SERIES = 200;
    private static final List<String> LATENCY_LABELS = Arrays.asList("client", "host", "status");
    private static final List<String> MISSING_LABELS = Arrays.asList("client", "host", "timeout");

    private final ClientHosts hosts;
    private final AtomicInteger series = new AtomicInteger();

    ClientMetrics(ClientHosts hosts) {
        this.hosts = hosts;
    }

    ClientMetrics registerIn(CollectorRegistry registry) {
        register(registry);
        return this;
    }

    /** From any thread. */
    void latency(ClientKind kind, ClientHost host, int status, long nanos) {
        int slot = ClientHost.statusSlot(status);
        LatencyHistogram h = host.latency(kind, slot);
        if (h == null) {
            h = newSeries(kind, host, slot);
        }
        h.recordNanos(nanos);
    }

    private LatencyHistogram newSeries(ClientKind kind, ClientHost host, int slot) {
        ClientHost target = host;
        if (series.get() >= MAX_SERIES) {
            target = hosts.other();
            LatencyHistogram existing = target.latency(kind, slot);
            if (existing != null) {
                return existing;
            }
        }
        series.incrementAndGet(); // may overshoot by a racing thread or two: still bounded
        return target.createLatency(kind, slot);
    }

    /** From any thread. */
    void missing(ClientKind kind, ClientHost host, int mask) {
        host.countMissing(kind, mask);
    }

    int seriesCount() {
        return series.get();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> latencySamples = new ArrayList<>();
        CounterMetricFamily missingFamily = new CounterMetricFamily(MISSING,
                "Outbound HTTP calls made without a finite connect, read or overall timeout, by the timeout missing",
                MISSING_LABELS);
        for (ClientHost host : hosts.all()) {
            for (ClientKind kind : ClientKind.ALL) {
                for (int slot = 0; slot < ClientHost.STATUS_SLOTS; slot++) {
                    LatencyHistogram h = host.latency(kind, slot);
                    if (h != null) {
                        h.addSamples(LATENCY, LATENCY_LABELS,
                                Arrays.asList(kind.label, host.label, ClientHost.statusLabel(slot)), latencySamples);
                    }
                }
                for (int bit = 0; bit < ClientTimeoutPolicy.LABELS.length; bit++) {
                    long n = host.missing(kind, bit);
                    if (n > 0) {
                        missingFamily.addMetric(Arrays.asList(kind.label, host.label, ClientTimeoutPolicy.LABELS[bit]), n);
                    }
                }
            }
        }
        return Arrays.asList(
                LatencyHistogram.family(LATENCY, "Outbound HTTP call latency until the response headers arrived"
                        + " (JDK HttpClient: until its body handler completed), by client library, downstream and status",
                        latencySamples),
                missingFamily);
    }
}
