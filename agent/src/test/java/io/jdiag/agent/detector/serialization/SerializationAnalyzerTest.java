package io.jdiag.agent.detector.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.Config;
import io.jdiag.agent.core.ConfigSchema;
import io.jdiag.agent.core.DetectorCatalog;
import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.core.RequestTimes;
import io.jdiag.agent.core.WarmUpContext;
import io.jdiag.agent.report.Finding;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.bootstrap.RequestContext;
import io.jdiag.bootstrap.SerializationHooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serialization logic and its hooks with plain objects and a fake clock of sleeps: no bytecode. */
class SerializationAnalyzerTest {
    /**
     * Far above what a fast call can take even on a loaded machine (a call of the tests that is meant to
     * be fast does nothing), and the slow ones sleep well past it.
     */
    static final long THRESHOLD_NANOS = 200_000_000L;
    static final long SLOW_MILLIS = 250;
    private final FindingsStore store = new FindingsStore(100);
    private final SerializationMetrics metrics = new SerializationMetrics();
    private final EventPipeline events = new EventPipeline(64);
    private final RequestTimes requestTimes = new RequestTimes();
    private final SerializationAnalyzer analyzer =
            new SerializationAnalyzer(THRESHOLD_NANOS, metrics, events, store::record, requestTimes);

    private void install() {
        SerializationHooks.install(analyzer);
        metrics.bind(SerializationHooks.generation());
    }

    @AfterEach
    void uninstall() {
        SerializationHooks.install(null);
    }

    /** What Jackson's advice does around a call that nests another serializer call. */
    private static void exportInApplicationCode(Object value, long sleepMillis) throws InterruptedException {
        Object outer = SerializationHooks.enter();
        Object inner = SerializationHooks.enter();
        Thread.sleep(sleepMillis);
        SerializationHooks.exit(inner, SerializationHooks.GSON, SerializationHooks.SERIALIZE, "inner", "{}");
        io.jdiag.testtargets.Callers.applicationMethod(() ->
                SerializationHooks.exit(outer, SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, value, new byte[2048]));
    }

    @Test
    void aSlowCallIsAFindingAtTheCallerWithTypeRouteAndStackAndNestedCallsCountOnce() throws Exception {
        install();
        String previous = RequestContext.enter("GET /export/*");
        try {
            exportInApplicationCode(new ArrayList<>(List.of(1, 2)), SLOW_MILLIS);
            exportInApplicationCode(new ArrayList<>(), 0);
            events.drain(64);
            assertThat(store.snapshot()).as("a type slow once is held back").isEmpty();
            exportInApplicationCode(new ArrayList<>(List.of(3)), SLOW_MILLIS);
            exportInApplicationCode(new ArrayList<>(List.of(4)), SLOW_MILLIS);
        } finally {
            RequestContext.exit(previous);
        }
        assertThat(metrics.calls(SerializationHooks.JACKSON, SerializationHooks.SERIALIZE)).isEqualTo(4);
        assertThat(metrics.calls(SerializationHooks.GSON, SerializationHooks.SERIALIZE)).as("nested").isZero();
        assertThat(metrics.slowCount(SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, "java.util.ArrayList")).isEqualTo(3);
        events.drain(64);
        List<Finding.Snapshot> found = store.snapshot();
        assertThat(found).hasSize(1);
        Finding.Snapshot f = found.get(0);
        assertThat(f.count).as("the held-back first one counts too").isEqualTo(3);
        assertThat(f.detector).isEqualTo("serialization");
        assertThat(f.kind).isEqualTo("slow_serialization");
        assertThat(f.route).isEqualTo("GET /export/*");
        assertThat(f.summary).matches("Jackson serialize of java\\.util\\.ArrayList took \\d+ ms in Callers\\.applicationMethod \\(GET /export/\\*\\) \\(2\\.0 KiB\\)");
        assertThat(f.details).containsEntry("type", "java.util.ArrayList").containsEntry("library", "jackson")
                .containsEntry("operation", "serialize").containsEntry("bytes", 2048L);
        assertThat(f.stack.get(0)).startsWith("io.jdiag.testtargets.Callers.applicationMethod(");
    }

    @Test
    void routeSharesAreAgainstTheRequestTimeOfTheRoute() throws Exception {
        install();
        String previous = RequestContext.enter("GET /export/*");
        try {
            exportInApplicationCode("x", 5);
        } finally {
            RequestContext.exit(previous);
        }
        SerializationAnalyzer.RouteShare before = analyzer.shares(10).get(0);
        assertThat(before.share()).as("no request time known yet").isEqualTo(-1);
        requestTimes.record("GET /export/*", before.serializationNanos * 4);
        SerializationAnalyzer.RouteShare s = analyzer.shares(10).get(0);
        assertThat(s.route).isEqualTo("GET /export/*");
        assertThat(s.calls).isEqualTo(1);
        assertThat(s.requests).isEqualTo(1);
        assertThat(s.share()).isEqualTo(0.25);
        StringBuilder text = new StringBuilder();
        new SerializationDetector.HotspotSection(analyzer).writeText(text);
        assertThat(text.toString()).contains(" 25.0%  GET /export/*: ");
    }

    @Test
    void aTypeSlowOnlyOnceIsNoFindingButIsCounted() throws Exception {
        install();
        exportInApplicationCode(new java.util.HashMap<>(), SLOW_MILLIS); // e.g. the first call, building the serializer
        for (int i = 0; i < 5; i++) {
            exportInApplicationCode(new java.util.HashMap<>(), 0);
        }
        events.drain(64);
        assertThat(store.snapshot()).isEmpty();
        assertThat(metrics.slowCount(SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, "java.util.HashMap")).isEqualTo(1);
    }

    @Test
    void arrayTypesAreNamedAsInJava() throws Exception {
        install();
        exportInApplicationCode(new String[0], SLOW_MILLIS);
        assertThat(metrics.slowCount(SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, "java.lang.String[]")).isEqualTo(1);
    }

    @Test
    void slowTypesAreCappedIntoOther() {
        for (int i = 0; i < SerializationMetrics.MAX_TYPES + 10; i++) {
            metrics.slow(SerializationHooks.JAVA, SerializationHooks.DESERIALIZE, "com.example.T" + i);
        }
        assertThat(metrics.typeLabels()).isEqualTo(SerializationMetrics.MAX_TYPES + 1);
        assertThat(metrics.slowCount(SerializationHooks.JAVA, SerializationHooks.DESERIALIZE, "other")).isEqualTo(10);
    }

    @Test
    void countersOfFinishedThreadsAreKeptAndTheHistogramsExported() throws Exception {
        install();
        Thread t = new Thread(() -> SerializationHooks.exit(SerializationHooks.enter(), SerializationHooks.GSON,
                SerializationHooks.DESERIALIZE, "x", "{\"a\":1}"));
        t.start();
        t.join();
        SerializationHooks.exit(SerializationHooks.enter(), SerializationHooks.GSON, SerializationHooks.DESERIALIZE, "y", "[]");
        assertThat(metrics.calls(SerializationHooks.GSON, SerializationHooks.DESERIALIZE)).isEqualTo(2);
        assertThat(metrics.calls(SerializationHooks.GSON, SerializationHooks.DESERIALIZE)).as("folded once").isEqualTo(2);
        java.util.List<io.prometheus.client.Collector.MetricFamilySamples.Sample> samples = new ArrayList<>();
        metrics.collect().forEach(f -> samples.addAll(f.samples));
        assertThat(samples).anyMatch(s -> s.name.equals("jdiag_serialization_bytes_sum") && s.labelValues.equals(List.of("gson", "deserialize"))
                && s.value == 9.0);
        assertThat(samples).anyMatch(s -> s.name.equals("jdiag_serialization_seconds_bucket")
                && s.labelValues.equals(List.of("gson", "deserialize", "+Inf")) && s.value == 2.0);
    }

    @Test
    void withoutASinkNothingIsTimed() {
        assertThat(SerializationHooks.enter()).isNull();
        SerializationHooks.exit(null, SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, "x", null);
        assertThat(metrics.calls(SerializationHooks.JACKSON, SerializationHooks.SERIALIZE)).isZero();
    }

    @Test
    void warmUpTakesTheSlowPathOnThrowAwayCollaboratorsAndPutsTheRealSinkBack() throws Exception {
        SerializationDetector d = new SerializationDetector();
        Config config = Config.load(null, new Properties(), Map.of(), ConfigSchema.of(DetectorCatalog.of(List.of(d))));
        WarmUpContext real = new WarmUpContext(config);
        d.start(real);
        try {
            List<FindingEvent> warm = new ArrayList<>();
            long[] m = d.warmUp(warm);
            assertThat(warm).hasSize(2);
            assertThat(SerializationMetrics.calls(m, SerializationHooks.GSON, SerializationHooks.SERIALIZE)).as("nested").isZero();
            assertThat(SerializationMetrics.calls(m, SerializationHooks.JACKSON, SerializationHooks.SERIALIZE)).isEqualTo(2);
            assertThat(SerializationMetrics.calls(m, SerializationHooks.JAVA, SerializationHooks.DESERIALIZE)).isEqualTo(1);
            SerializationHooks.exit(SerializationHooks.enter(), SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, "x", null);
            real.drain();
            assertThat(real.findings().snapshot()).as("the real 50 ms threshold is back").isEmpty();
        } finally {
            d.stop();
        }
    }
}
