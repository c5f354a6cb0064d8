package io.jdiag.agent.detector.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.report.FindingEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaksDetectorTest {
    /**
     * The warm-up runs the path an application's {@code FileInputStream} takes — a known type, tracked,
     * described, closed; another one collected unclosed and reported — not an early return, so every
     * class the hooks need is loaded before the first application thread reaches them.
     */
    @Test
    void warmUpRunsTheRealHookPath() {
        List<FindingEvent> findings = new ArrayList<>();
        LeaksMetrics metrics = LeaksDetector.warmUp(findings);
        String text = io.prometheus.client.exporter.common.TextFormat.class.getName();
        assertThat(text).isNotEmpty();
        List<io.prometheus.client.Collector.MetricFamilySamples> samples = metrics.collect();
        assertThat(value(samples, "jdiag_resources_opened_total", "file")).isEqualTo(2);
        assertThat(value(samples, "jdiag_resources_leaked_total", "file")).isEqualTo(1);
        assertThat(metrics.open(ResourceType.FILE)).isZero();
        assertThat(findings).hasSize(1);
    }

    private static double value(List<io.prometheus.client.Collector.MetricFamilySamples> families, String name, String type) {
        for (io.prometheus.client.Collector.MetricFamilySamples f : families) {
            for (io.prometheus.client.Collector.MetricFamilySamples.Sample s : f.samples) {
                if (s.name.equals(name) && s.labelValues.contains(type)) {
                    return s.value;
                }
            }
        }
        return Double.NaN;
    }
}
