package io.jdiag.agent.detector.pools;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.Finding;
import io.jdiag.bootstrap.PoolsHooks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pools logic on plain objects shaped like a Tomcat JDBC pool (its entry is what the borrow returns). */
class PoolsAnalyzerTest {
    static final long MS = 1_000_000L;

    /** Shaped like Tomcat's {@code ConnectionPool}: the statistics the adapter reads by reflection. */
    public static final class FakePool {
        public volatile int active;
        public volatile int idle;
        public volatile int waiting;
        public final int max;

        FakePool(int max) {
            this.max = max;
            this.idle = max;
        }

        public int getActive() {
            return active;
        }

        public int getIdle() {
            return idle;
        }

        public int getWaitCount() {
            return waiting;
        }

        public boolean isClosed() {
            return false;
        }

        public String getName() {
            return "fake";
        }

        public Properties getPoolProperties() {
            return new Properties(max);
        }

        public static final class Properties {
            private final int max;

            Properties(int max) {
                this.max = max;
            }

            public int getMaxActive() {
                return max;
            }
        }
    }

    private final EventPipeline events = new EventPipeline(1024);
    private final List<FindingEvent> findings = new ArrayList<>();
    private final FindingsStore store = new FindingsStore(100);

    private PoolsAnalyzer analyzer(long leakMillis) {
        return new PoolsAnalyzer(100 * MS, leakMillis * MS, 0, events, f -> {
            findings.add(f);
            store.record(f);
        });
    }

    @Test
    void borrowAndReturnAreTimedAndCounted() {
        PoolsAnalyzer a = analyzer(30_000);
        FakePool pool = new FakePool(5);
        Object entry = new Object();
        a.acquired(PoolsHooks.TOMCAT, pool, entry, System.nanoTime() - 2 * MS);
        a.released(PoolsHooks.TOMCAT, entry);
        a.released(PoolsHooks.TOMCAT, entry); // a second close counts nothing
        PoolState p = a.pools().iterator().next();
        assertThat(p.name).isEqualTo("fake");
        assertThat(p.kind()).isEqualTo("jdbc");
        assertThat(p.acquire.snapshot().count()).isEqualTo(1);
        assertThat(p.acquire.snapshot().quantileSeconds(0.5)).isBetween(0.001, 0.0025);
        assertThat(p.held.snapshot().count()).isEqualTo(1);
        assertThat(p.exhausted.sum()).isZero();
        assertThat(a.holdCount()).isEqualTo(1);
    }

    @Test
    void aShortageAtTheMaximumIsOneFindingWithTheNumbers() {
        PoolsAnalyzer a = analyzer(30_000);
        FakePool pool = new FakePool(2);
        long t0 = System.nanoTime();
        a.poll(t0);
        // two held, three waiting
        pool.active = 2;
        pool.idle = 0;
        pool.waiting = 3;
        Object e1 = new Object();
        Object e2 = new Object();
        a.acquired(PoolsHooks.TOMCAT, pool, e1, System.nanoTime());
        a.acquired(PoolsHooks.TOMCAT, pool, e2, System.nanoTime());
        a.poll(t0 + 200 * MS);
        events.drain(100);
        // the waiters get their connections after waiting 300 ms
        a.released(PoolsHooks.TOMCAT, e1);
        a.acquired(PoolsHooks.TOMCAT, pool, e1, System.nanoTime() - 300 * MS);
        a.released(PoolsHooks.TOMCAT, e2);
        a.acquired(PoolsHooks.TOMCAT, pool, e2, System.nanoTime() - 300 * MS);
        events.drain(100);
        a.poll(t0 + 400 * MS);
        pool.active = 0;
        pool.idle = 2;
        pool.waiting = 0;
        a.released(PoolsHooks.TOMCAT, e1);
        a.released(PoolsHooks.TOMCAT, e2);
        events.drain(100);
        a.poll(t0 + 600 * MS);
        assertThat(findings).isEmpty(); // not over yet: a second of quiet ends a shortage
        a.poll(t0 + 1_700 * MS);

        assertThat(findings).hasSize(1);
        Finding.Snapshot f = store.snapshot().get(0);
        assertThat(f.kind).isEqualTo("pool_exhausted");
        assertThat(f.severity).isEqualTo("critical");
        assertThat(f.details.get("max")).isEqualTo(2);
        assertThat(f.details.get("peakDemand")).isEqualTo(5);
        assertThat(f.details.get("exhaustedAcquires")).isEqualTo(2L);
        assertThat(f.summary).startsWith("pool fake (jdbc) exhausted: max 2, peak demand 5 (")
                .contains("acquire p99 ", "raise max to ≥ 5 or shorten the hold");
        assertThat(a.pools().iterator().next().pressure).isFalse();
    }

    @Test
    void slowAcquiresOfAPoolBelowItsMaximumAreCountedButNoFinding() {
        PoolsAnalyzer a = analyzer(30_000);
        FakePool pool = new FakePool(10);
        long t0 = System.nanoTime();
        pool.active = 1;
        pool.waiting = 4; // waiting for new connections to be opened
        Object e = new Object();
        a.acquired(PoolsHooks.TOMCAT, pool, e, System.nanoTime() - 500 * MS);
        a.poll(t0);
        pool.waiting = 0;
        a.poll(t0 + 2_000 * MS);
        assertThat(findings).isEmpty();
        assertThat(a.pools().iterator().next().exhausted.sum()).isEqualTo(1);
    }

    @Test
    void aConnectionHeldPastTheThresholdIsALeakAndTheNextOneIsReportedWithItsStack() {
        PoolsAnalyzer a = analyzer(1_000);
        FakePool pool = new FakePool(5);
        Object e1 = new Object();
        String previous = io.jdiag.bootstrap.RequestContext.enter("GET /leaky/*"); // leaks of one route are one finding
        a.acquired(PoolsHooks.TOMCAT, pool, e1, System.nanoTime());
        long now = System.nanoTime();
        a.poll(now + 500 * MS);
        assertThat(findings).isEmpty();
        a.poll(now + 1_500 * MS);
        a.poll(now + 2_500 * MS); // reported once per borrow
        assertThat(findings).hasSize(1);
        assertThat(store.snapshot().get(0).stack).isEmpty();
        assertThat(store.snapshot().get(0).details.get("reason")).isEqualTo("held_past_threshold");

        // the pool is watched now: the next leak names the borrower
        Object e2 = new Object();
        borrowWithoutReturn(a, pool, e2);
        a.poll(System.nanoTime() + 1_500 * MS);
        assertThat(findings).hasSize(2);
        Finding.Snapshot f = store.snapshot().get(0);
        assertThat(f.kind).isEqualTo("connection_leak");
        assertThat(f.count).isEqualTo(2);
        // (this test's own frames are the agent's package, which report stacks leave out: the JUnit frames remain)
        assertThat(f.stack).isNotEmpty();
        assertThat(f.details.get("borrowStackCaptured")).isEqualTo(true);
        assertThat(f.route).isEqualTo("GET /leaky/*");
        assertThat(a.pools().iterator().next().leaks.sum()).isEqualTo(2);
        io.jdiag.bootstrap.RequestContext.exit(previous);
    }

    private static void borrowWithoutReturn(PoolsAnalyzer a, FakePool pool, Object entry) {
        a.acquired(PoolsHooks.TOMCAT, pool, entry, System.nanoTime());
    }

    @Test
    void aTimeoutIsCountedByTheLibrarysException() {
        PoolsAnalyzer a = analyzer(30_000);
        FakePool pool = new FakePool(5);
        a.acquireFailed(PoolsHooks.TOMCAT, pool, new RuntimeException("not a timeout"), System.nanoTime());
        PoolState p = a.pools().iterator().next();
        assertThat(p.timeouts.sum()).isZero();
        a.acquireFailed(PoolsHooks.HIKARI, new Object(), new java.sql.SQLTransientConnectionException("timed out"),
                System.nanoTime() - 200 * MS);
        PoolState hikari = a.pools().stream().filter(x -> x.library.label.equals("hikari")).findFirst().get();
        assertThat(hikari.timeouts.sum()).isEqualTo(1);
        assertThat(hikari.exhausted.sum()).isEqualTo(1);
    }

    @Test
    void bucketsKnowAValueWithinAnEighthOfItself() {
        BucketHistogram h = new BucketHistogram();
        for (int i = 0; i < 100; i++) {
            h.record(500 * MS);
        }
        h.record(3_000); // 3 µs
        BucketHistogram.Snapshot s = h.snapshot();
        assertThat(s.quantileSeconds(0.5)).isBetween(0.5 * 0.93, 0.5 * 1.07);
        assertThat(s.sumSeconds()).isBetween(50 * 0.94, 50 * 1.06);
        assertThat(s.quantileSeconds(0.001)).isBetween(2.5e-6, 3.5e-6);
        for (long v = 1; v < 100_000_000_000L; v = v * 3 + 1) {
            int i = BucketHistogram.index(v);
            assertThat(v).as("bucket " + i).isBetween(BucketHistogram.lower(i), BucketHistogram.upper(i) - 1);
        }
        assertThat(BucketHistogram.index(Long.MAX_VALUE)).isEqualTo(BucketHistogram.BUCKETS - 1);
        List<io.prometheus.client.Collector.MetricFamilySamples.Sample> samples = new ArrayList<>();
        h.addSamples("x", List.of("pool"), List.of("p"), samples);
        assertThat(samples.stream().filter(x -> x.name.equals("x_bucket") && x.labelValues.get(1).equals("0.25"))
                .findFirst().get().value).isEqualTo(1);
        assertThat(samples.stream().filter(x -> x.name.equals("x_bucket") && x.labelValues.get(1).equals("0.5"))
                .findFirst().get().value).isEqualTo(101);
    }

    @Test
    void warmUpRunsTheWholePathOnThrowAwayObjects() {
        io.jdiag.agent.core.WarmUpContext scratch = new io.jdiag.agent.core.WarmUpContext(io.jdiag.agent.core.Config.defaults());
        PoolsAnalyzer a = PoolsDetector.newAnalyzer(scratch, findings::add);
        PoolsDetector.warmUp(a, scratch);
        assertThat(findings).hasSize(1); // the warm-up's leak: its shortage never reached a known maximum
        assertThat(a.pools()).hasSize(2); // the HikariCP-shaped pool and the generic data source
    }
}
