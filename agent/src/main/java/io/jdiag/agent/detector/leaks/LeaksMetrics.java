package io.jdiag.agent.detector.leaks;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code jdiag_resources_*{type}}. Application threads only bump {@link LongAdder}s (no label
 * lookup, no allocation); the Prometheus families are built at scrape time.
 */
final class LeaksMetrics extends Collector {
    // One increment per open and one per close: "open" is derived at scrape time.
    private final LongAdder[] opened = adders();
    private final LongAdder[] closed = adders();
    private final LongAdder[] leaked = adders();
    private final LongAdder[] untracked = adders();

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[ResourceType.ALL.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void opened(ResourceType t) {
        opened[t.ordinal()].increment();
    }

    /** Opened, but not tracked because {@code leaks.max-tracked} resources are already tracked. */
    void untracked(ResourceType t) {
        opened[t.ordinal()].increment();
        untracked[t.ordinal()].increment();
    }

    void closed(ResourceType t) {
        closed[t.ordinal()].increment();
    }

    void leaked(ResourceType t) {
        leaked[t.ordinal()].increment();
    }

    /** Tracked and still open: opened, less what was not tracked, closed or found leaked. */
    long open(ResourceType t) {
        int i = t.ordinal();
        return opened[i].sum() - untracked[i].sum() - closed[i].sum() - leaked[i].sum();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<String> labels = Collections.singletonList("type");
        GaugeMetricFamily openFamily = new GaugeMetricFamily("jdiag_resources_open",
                "Tracked resources currently open", labels);
        CounterMetricFamily openedFamily = new CounterMetricFamily("jdiag_resources_opened_total",
                "Resources opened since the agent started", labels);
        CounterMetricFamily leakedFamily = new CounterMetricFamily("jdiag_resources_leaked_total",
                "Resources collected by the garbage collector without close()", labels);
        CounterMetricFamily untrackedFamily = new CounterMetricFamily("jdiag_resources_untracked_total",
                "Resources opened while leaks.max-tracked were already tracked, so not watched for leaks", labels);
        for (ResourceType t : ResourceType.ALL) {
            List<String> v = Collections.singletonList(t.label);
            int i = t.ordinal();
            openFamily.addMetric(v, Math.max(0, open(t)));
            openedFamily.addMetric(v, opened[i].sum());
            leakedFamily.addMetric(v, leaked[i].sum());
            untrackedFamily.addMetric(v, untracked[i].sum());
        }
        return Arrays.asList(openFamily, openedFamily, leakedFamily, untrackedFamily);
    }
}
