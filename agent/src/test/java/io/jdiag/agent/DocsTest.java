package io.jdiag.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.ConfigKey;
import io.jdiag.agent.core.ConfigSchema;
import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorCatalog;
import io.jdiag.agent.core.WarmUpContext;
import io.jdiag.agent.core.Config;
import io.jdiag.agent.export.AgentMetrics;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The docs name everything a user can meet: every configuration key of the core and of every
 * registered detector (with the key a detector declares, not a list kept by hand), every detector,
 * and every metric family the detectors and the core export.
 */
class DocsTest {
    private static final Path DOCS = Path.of(System.getProperty("jdiag.docs", "../docs"));

    private static String doc(String name) throws Exception {
        return Files.readString(DOCS.resolve(name));
    }

    @Test
    void everyConfigurationKeyIsInTheKeyTable() throws Exception {
        String configuration = doc("configuration.md");
        DetectorCatalog catalog = DetectorCatalog.load(DocsTest.class.getClassLoader());
        List<String> missing = new ArrayList<>();
        for (ConfigKey k : ConfigSchema.of(catalog).keys()) {
            if (!configuration.contains("| `" + k.key + "` |")) {
                missing.add(k.key);
            }
        }
        assertThat(missing).as("keys missing from docs/configuration.md's table").isEmpty();
    }

    @Test
    void everyDetectorHasItsSection() throws Exception {
        String detectors = doc("detectors.md");
        for (Detector d : DetectorCatalog.load(DocsTest.class.getClassLoader()).detectors()) {
            assertThat(detectors).as(d.name()).containsPattern("(?m)^## " + d.name() + "$");
        }
    }

    @Test
    void everyExportedMetricIsDocumented() throws Exception {
        String metrics = doc("metrics.md");
        List<String> names = new ArrayList<>();
        CollectorRegistry agent = new CollectorRegistry();
        new AgentMetrics(agent, "test", "premain", () -> 0, () -> 0, () -> Map.of("leaks", true));
        names.addAll(familyNames(agent));
        for (Detector d : DetectorCatalog.load(DocsTest.class.getClassLoader()).detectors()) {
            WarmUpContext context = new WarmUpContext(Config.defaults());
            d.start(context);
            try {
                d.warmUp();
                names.addAll(familyNames(context.registry()));
            } finally {
                d.stop();
            }
        }
        assertThat(names).contains("jdiag_agent_detector_up", "jdiag_resources_leaked_total");
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (!metrics.contains("`" + n + "`") && !metrics.contains("`" + n + "{")) {
                missing.add(n);
            }
        }
        assertThat(missing).as("metrics missing from docs/metrics.md").isEmpty();
    }

    private static List<String> familyNames(CollectorRegistry registry) {
        List<String> out = new ArrayList<>();
        for (Collector.MetricFamilySamples f : Collections.list(registry.metricFamilySamples())) {
            // simpleclient drops the _total of a counter family's name; the docs use the full name
            out.add(f.type == Collector.Type.COUNTER && !f.name.endsWith("_total") ? f.name + "_total" : f.name);
        }
        return out;
    }
}
