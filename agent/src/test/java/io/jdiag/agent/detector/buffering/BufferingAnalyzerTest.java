package io.jdiag.agent.detector.buffering;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.Config;
import io.jdiag.agent.core.ConfigSchema;
import io.jdiag.agent.core.DetectorCatalog;
import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.core.WarmUpContext;
import io.jdiag.agent.report.Finding;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.bootstrap.BufferingHooks;
import io.jdiag.bootstrap.RequestContext;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The buffering logic and its hooks with plain objects: no bytecode involved. */
class BufferingAnalyzerTest {
    static final long THRESHOLD = 1000;
    private final FindingsStore store = new FindingsStore(100);
    private final BufferingMetrics metrics = new BufferingMetrics();
    private final EventPipeline events = new EventPipeline(64);
    private final BufferingAnalyzer analyzer = new BufferingAnalyzer(THRESHOLD, metrics, events, store::record);

    /** Stands in for a servlet container's body stream: the analyzer knows it by its superclass. */
    static class ContainerBody extends jakarta.servlet.ServletInputStream {
        @Override
        public boolean isFinished() {
            return true;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(jakarta.servlet.ReadListener readListener) {
        }

        @Override
        public int read() {
            return -1;
        }
    }

    @AfterEach
    void uninstall() {
        BufferingHooks.install(null, 0);
    }

    private List<Finding.Snapshot> findings() {
        events.drain(64);
        return store.snapshot();
    }

    /** What the advice of a whole read does, from an application method with a recognisable name. */
    private static void readWholeInApplicationCode(InputStream stream, byte[] result) {
        io.jdiag.testtargets.Callers.applicationMethod(() -> {
            Object frame = BufferingHooks.enter();
            Object inner = BufferingHooks.enterBounded(Integer.MAX_VALUE); // readAllBytes -> readNBytes(MAX_VALUE)
            BufferingHooks.exit(inner, BufferingHooks.INPUT_STREAM, "java.io.InputStream.readNBytes", stream, result);
            BufferingHooks.exit(frame, BufferingHooks.INPUT_STREAM, "java.io.InputStream.readAllBytes", stream, result);
        });
    }

    @Test
    void aWholeReadPastTheThresholdIsOneFindingAtTheOutermostCallWithRouteAndStack() {
        BufferingHooks.install(analyzer, THRESHOLD);
        String previous = RequestContext.enter("POST /upload/*");
        try {
            for (int i = 0; i < 3; i++) {
                readWholeInApplicationCode(new ByteArrayInputStream(new byte[0]), new byte[4000]);
            }
        } finally {
            RequestContext.exit(previous);
        }
        assertThat(metrics.observedCount(Source.INPUT_STREAM)).as("nested reads count once").isEqualTo(3);
        assertThat(metrics.largeCount(Source.INPUT_STREAM)).isEqualTo(3);
        List<Finding.Snapshot> found = findings();
        assertThat(found).hasSize(1);
        Finding.Snapshot f = found.get(0);
        assertThat(f.detector).isEqualTo("buffering");
        assertThat(f.kind).isEqualTo("unbounded_buffering");
        assertThat(f.severity).isEqualTo("warning");
        assertThat(f.count).isEqualTo(3);
        assertThat(f.route).isEqualTo("POST /upload/*");
        assertThat(f.summary).isEqualTo("InputStream.readAllBytes read 3.9 KiB into memory in Callers.applicationMethod (POST /upload/*)");
        assertThat(f.resourceType).isEqualTo("input_stream");
        assertThat(f.stack.get(0)).startsWith("io.jdiag.testtargets.Callers.applicationMethod(");
        assertThat(f.details).containsEntry("site", f.stack.get(0));
        assertThat(f.details).containsEntry("bytes", 4000L).containsEntry("thresholdBytes", THRESHOLD);
    }

    @Test
    void readsUpToTheThresholdAreMeasuredButNoFinding() {
        BufferingHooks.install(analyzer, THRESHOLD);
        readWholeInApplicationCode(new ByteArrayInputStream(new byte[0]), new byte[(int) THRESHOLD]);
        BufferingHooks.exit(BufferingHooks.enterBounded(16), BufferingHooks.INPUT_STREAM, "x.readNBytes", null, new byte[16]);
        assertThat(metrics.observedCount(Source.INPUT_STREAM)).as("a bounded readNBytes is no whole read").isEqualTo(1);
        assertThat(metrics.largeCount(Source.INPUT_STREAM)).isZero();
        assertThat(findings()).isEmpty();
    }

    @Test
    void aServletBodyDeclaredLargeAndReadWholeIsCritical() {
        BufferingHooks.install(analyzer, THRESHOLD);
        ContainerBody declared = new ContainerBody();
        BufferingHooks.servletBody(declared, 5000);
        BufferingHooks.servletBody(new ContainerBody(), 10); // small declared bodies are not remembered
        readWholeInApplicationCode(declared, new byte[5000]);
        assertThat(metrics.largeCount(Source.SERVLET_REQUEST)).isEqualTo(1);
        Finding.Snapshot f = findings().get(0);
        assertThat(f.severity).isEqualTo("critical");
        assertThat(f.resourceType).isEqualTo("servlet_request");
        assertThat(f.summary).contains("read a 4.9 KiB request body into memory", "declared Content-Length 4.9 KiB");
        assertThat(f.details).containsEntry("declaredContentLength", 5000L);
    }

    @Test
    void aByteArrayOutputStreamIsReportedOnceWhenItGrowsPastTheThreshold() {
        BufferingHooks.install(analyzer, THRESHOLD);
        BufferingHooks.ensureCapacity(32, 32); // room enough
        BufferingHooks.ensureCapacity(32, 33); // to 64
        BufferingHooks.ensureCapacity(500, 501); // to 1000: not past 1000
        BufferingHooks.ensureCapacity(1000, 1001); // to 2000: past it
        BufferingHooks.ensureCapacity(2000, 2001);
        BufferingHooks.grows(0, 500);
        assertThat(metrics.largeCount(Source.BYTE_ARRAY_OUTPUT_STREAM)).isEqualTo(1);
        assertThat(metrics.observedCount(Source.BYTE_ARRAY_OUTPUT_STREAM)).isEqualTo(1);
        List<Finding.Snapshot> found = findings();
        assertThat(found).hasSize(1);
        assertThat(found.get(0).summary).startsWith("ByteArrayOutputStream grew past 1000 B (to a 2.0 KiB buffer) in ");
    }

    @Test
    void clientResponsesAndAggregatorsHaveTheirOwnSource() {
        BufferingHooks.install(analyzer, THRESHOLD);
        BufferingHooks.exit(BufferingHooks.enter(), BufferingHooks.HTTP_CLIENT_RESPONSE,
                "org.apache.http.util.EntityUtils.toString", null, "x".repeat(2000));
        BufferingHooks.aggregated(3000, 1 << 20);
        BufferingHooks.aggregated(10, 1 << 20);
        assertThat(metrics.largeCount(Source.HTTP_CLIENT_RESPONSE)).isEqualTo(1);
        assertThat(metrics.largeCount(Source.NETTY_AGGREGATOR)).isEqualTo(1);
        assertThat(metrics.observedCount(Source.NETTY_AGGREGATOR)).isEqualTo(2);
        List<Finding.Snapshot> found = findings();
        assertThat(found).extracting(f -> f.summary).anyMatch(s -> s.startsWith("EntityUtils.toString read a 2.0 KiB response body"))
                .anyMatch(s -> s.startsWith("HttpObjectAggregator (maxContentLength 1.0 MiB) held a 2.9 KiB body"));
        assertThat(found).filteredOn(f -> f.summary.startsWith("HttpObjectAggregator"))
                .allMatch(f -> f.origin.equals(Finding.APPLICATION));
    }

    @Test
    void streamSourcesByClass() {
        assertThat(BufferingAnalyzer.streamSource(ContainerBody.class)).isEqualTo(Source.SERVLET_REQUEST);
        assertThat(BufferingAnalyzer.streamSource(ByteArrayInputStream.class)).isEqualTo(Source.INPUT_STREAM);
        assertThat(BufferingAnalyzer.shortApi("java.io.InputStream.readAllBytes")).isEqualTo("InputStream.readAllBytes");
        assertThat(BufferingAnalyzer.shortApi("java.io.ByteArrayOutputStream")).isEqualTo("ByteArrayOutputStream");
        assertThat(BufferingAnalyzer.size(12L << 20)).isEqualTo("12.0 MiB");
    }

    @Test
    void withoutASinkTheHooksDoNothingAndKeepNoDepth() {
        assertThat(BufferingHooks.enter()).isNull();
        BufferingHooks.grows(0, Integer.MAX_VALUE);
        BufferingHooks.install(analyzer, THRESHOLD);
        readWholeInApplicationCode(new ByteArrayInputStream(new byte[0]), new byte[4000]);
        assertThat(findings()).hasSize(1);
    }

    @Test
    void warmUpRunsTheLargePathOnThrowAwayCollaboratorsAndPutsTheRealSinkBack() throws Exception {
        BufferingDetector d = new BufferingDetector();
        Config config = Config.load(null, new Properties(), Map.of(),
                ConfigSchema.of(DetectorCatalog.of(List.of(d))));
        WarmUpContext real = new WarmUpContext(config);
        d.start(real);
        try {
            List<FindingEvent> warm = new ArrayList<>();
            BufferingMetrics m = d.warmUp(warm);
            assertThat(warm).hasSizeGreaterThanOrEqualTo(5);
            for (Source s : Source.ALL) {
                assertThat(m.largeCount(s)).as(s.label).isPositive();
            }
            // the real sink is back, with the configured 8 MiB threshold: a 4 KiB read is no finding
            readWholeInApplicationCode(new ByteArrayInputStream(new byte[0]), new byte[4000]);
            real.drain();
            assertThat(real.findings().snapshot()).isEmpty();
        } finally {
            d.stop();
        }
    }
}
