package io.jdiag.agent.detector.leaks;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.Finding;
import io.jdiag.bootstrap.RequestContext;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leaks logic with plain objects standing in for resources: no bytecode involved. */
class LeaksAnalyzerTest {
    private final FindingsStore store = new FindingsStore(100);
    private final LeaksMetrics metrics = new LeaksMetrics();

    private LeaksAnalyzer analyzer(double rate, int maxTracked) {
        return new LeaksAnalyzer(rate, maxTracked, metrics, store::record);
    }

    /** Opens a "resource" and drops it; returns nothing so the object is unreachable after the call. */
    private static void openAndForget(LeaksAnalyzer a) {
        Object resource = new Object();
        a.opened(resource, "file", new File("/data/x.bin"));
    }

    private static void openAndClose(LeaksAnalyzer a) {
        Object resource = new Object();
        a.opened(resource, "file", "/data/y.bin");
        a.closed(resource);
    }

    /** GC until the analyzer has reported {@code expected} leaks (bounded). */
    private static int collect(LeaksAnalyzer a, int expected) throws InterruptedException {
        int total = 0;
        for (int i = 0; i < 50 && total < expected; i++) {
            System.gc();
            Thread.sleep(20);
            total += a.pollLeaks();
        }
        return total;
    }

    @Test
    void unreachableWithoutCloseIsOneGroupedLeakNamingTheOpener() throws Exception {
        LeaksAnalyzer a = analyzer(1, 1000);
        String previous = RequestContext.enter("GET /files/*");
        try {
            for (int i = 0; i < 10; i++) {
                openAndForget(a);
            }
        } finally {
            RequestContext.exit(previous);
        }
        assertThat(collect(a, 10)).isEqualTo(10);
        List<Finding.Snapshot> findings = store.snapshot();
        assertThat(findings).hasSize(1);
        Finding.Snapshot f = findings.get(0);
        assertThat(f.count).isEqualTo(10);
        assertThat(f.detector).isEqualTo("leaks");
        assertThat(f.kind).isEqualTo("unclosed_resource");
        assertThat(f.route).isEqualTo("GET /files/*");
        assertThat(f.summary).isEqualTo("Object opened in ReflectionUtils.invokeMethod (GET /files/*) was never closed");
        assertThat(f.resourceType).isEqualTo("file");
        assertThat(f.resourceDescription).isEqualTo("/data/x.bin");
        // This test lives in the agent's own package, whose frames are cut from the top of every
        // stack; what remains starts at the caller that is not the agent (here: the test runner).
        assertThat(f.stack).isNotEmpty();
        assertThat(f.stack.get(0)).doesNotStartWith("io.jdiag.agent.");
        assertThat(metrics.open(ResourceType.FILE)).isZero();
        assertThat(a.liveCount()).isZero();
    }

    @Test
    void closedResourcesAreNeverLeaks() throws Exception {
        LeaksAnalyzer a = analyzer(1, 1000);
        for (int i = 0; i < 100; i++) {
            openAndClose(a);
        }
        assertThat(collect(a, 1)).isZero();
        assertThat(store.snapshot()).isEmpty();
        assertThat(a.liveCount()).isZero();
    }

    @Test
    void delegatingConstructorsReportingTheSameObjectTrackItOnce() {
        LeaksAnalyzer a = analyzer(1, 1000);
        Object resource = new Object();
        a.opened(resource, "file", "/a");
        a.opened(resource, "file", "/a");
        assertThat(a.liveCount()).isEqualTo(1);
        assertThat(metrics.open(ResourceType.FILE)).isEqualTo(1);
        a.closed(resource);
        a.closed(resource); // double close is harmless
        assertThat(a.liveCount()).isZero();
        assertThat(metrics.open(ResourceType.FILE)).isZero();
    }

    @Test
    void beyondMaxTrackedResourcesAreCountedNotTracked() {
        LeaksAnalyzer a = analyzer(1, 2);
        Object[] keep = {new Object(), new Object(), new Object()};
        for (Object o : keep) {
            a.opened(o, "socket", null);
        }
        assertThat(a.liveCount()).isEqualTo(2);
        List<io.prometheus.client.Collector.MetricFamilySamples> families = metrics.collect();
        assertThat(families.stream().filter(m -> m.name.equals("jdiag_resources_untracked"))
                .flatMap(m -> m.samples.stream()).filter(s -> s.labelValues.contains("socket"))
                .mapToDouble(s -> s.value).sum()).isEqualTo(1);
    }

    @Test
    void unsampledLeaksAreCountedWithoutAFinding() throws Exception {
        LeaksAnalyzer a = analyzer(0, 1000);
        for (int i = 0; i < 5; i++) {
            openAndForget(a);
        }
        assertThat(collect(a, 5)).isEqualTo(5);
        assertThat(store.snapshot()).isEmpty();
        assertThat(a.unsampledLeaks(ResourceType.FILE)).isEqualTo(5);
    }

    @Test
    void longOpenResourcesAreListedGroupedBySiteButNotAsLeaks() throws Exception {
        LeaksAnalyzer a = analyzer(1, 1000);
        Object[] held = {new Object(), new Object()};
        for (Object o : held) {
            a.opened(o, "zip", new File("/lib/a.zip"));
        }
        Thread.sleep(30);
        List<LeaksAnalyzer.LongOpenGroup> groups = a.longOpen(10, 20);
        assertThat(groups).singleElement().satisfies(g -> {
            assertThat(g.count).isEqualTo(2);
            assertThat(g.type).isEqualTo("zip");
            assertThat(g.site).doesNotStartWith("io.jdiag.agent.");
            assertThat(g.stack).isNotEmpty();
            assertThat(g.example).isEqualTo("/lib/a.zip");
        });
        assertThat(a.longOpen(60_000, 20)).isEmpty();
        assertThat(held).hasSize(2); // still reachable: no leak
        assertThat(a.pollLeaks()).isZero();
    }

    @Test
    void unknownTypesAndNullsAreIgnoredWithoutThrowing() {
        LeaksAnalyzer a = analyzer(1, 1000);
        a.opened(new Object(), "no-such-type", null);
        a.closed(new Object());
        a.describe(new Object(), "x");
        assertThat(a.liveCount()).isZero();
        assertThat(new FindingEvent("d", "k", "s")).isNotNull();
    }
}
