package io.jdiag.agent.detector.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.FindingsStore;
import io.jdiag.agent.report.Finding;
import io.jdiag.bootstrap.BlockingHooks;
import io.jdiag.bootstrap.RequestContext;
import java.io.FileDescriptor;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hook path in process, as the advice calls it, with this test's thread registered as a loop:
 * what is reported, what nests, what is left out, and that other threads are never touched.
 */
class BlockingHooksTest {
    private final FindingsStore store = new FindingsStore(100);
    private final EventPipeline events = new EventPipeline(64);
    private final BlockingMetrics metrics = new BlockingMetrics();
    private LoopRegistry registry;
    private LoopState loop;

    @BeforeEach
    void registerThisThreadAsALoop() {
        registry = new LoopRegistry(null, (t, label, executor) -> new LoopState(t, label, executor, metrics.series(label).lag),
                BlockingHooks::loops);
        BlockingAnalyzer analyzer = new BlockingAnalyzer(registry, metrics, store::record, events, 100_000_000L);
        BlockingHooks.install(analyzer);
        loop = registry.register(Thread.currentThread(), null);
    }

    @AfterEach
    void uninstall() {
        BlockingHooks.install(null);
    }

    private List<Finding.Snapshot> drain() {
        events.drain(100);
        return store.snapshot();
    }

    @Test
    void anOutermostCallOnALoopIsReportedWithItsRouteAndSite() {
        String previous = RequestContext.enter("GET /sleep");
        try {
            handlerThatSleeps();
        } finally {
            RequestContext.exit(previous);
        }
        List<Finding.Snapshot> findings = drain();
        assertThat(findings).hasSize(1);
        Finding.Snapshot f = findings.get(0);
        assertThat(f.kind).isEqualTo(BlockingAnalyzer.BLOCKING_CALL);
        assertThat(f.route).isEqualTo("GET /sleep");
        assertThat(f.summary).startsWith("Thread.sleep blocked event loop " + loop.label + " for 0 ms in ").contains("(GET /sleep)");
        // (this test's own frames count as the agent's, being in its package: the site is JUnit's)
        assertThat(f.stack).isNotEmpty();
        assertThat(f.details).containsEntry("seenBy", "advice").containsKey("blockedMillis");
        assertThat(metrics.calls(loop.label, "java.lang.Thread.sleep")).isEqualTo(1);
    }

    /** What advice woven into Thread.sleep and a nested JDK call does. */
    private static void handlerThatSleeps() {
        Object outer = BlockingHooks.enter();
        assertThat(outer).isNotNull();
        Object nested = BlockingHooks.enter();
        assertThat(nested).as("nested calls are part of the outer one").isNull();
        BlockingHooks.exit(nested, "java.lang.Object.wait");
        BlockingHooks.exit(outer, "java.lang.Thread.sleep");
    }

    @Test
    void aWaitIsReportedOnlyWhenItParked() {
        Object latch = BlockingHooks.enterWait();
        BlockingHooks.exit(latch, "java.util.concurrent.CountDownLatch.await"); // already at zero: no park
        Object get = BlockingHooks.enterWait();
        Object park = BlockingHooks.enterPark();
        assertThat(park).isNull();
        BlockingHooks.exit(park, "java.util.concurrent.locks.LockSupport.park");
        BlockingHooks.exit(get, "java.util.concurrent.CompletableFuture.get");
        drain();
        assertThat(metrics.calls(loop.label, "java.util.concurrent.CountDownLatch.await")).isZero();
        assertThat(metrics.calls(loop.label, "java.util.concurrent.Future.get")).isEqualTo(1);
    }

    @Test
    void shortParksConsoleWritesAndTheRandomDeviceAreLeftOut() throws Exception {
        Object park = BlockingHooks.enterPark();
        BlockingHooks.exit(park, "java.util.concurrent.locks.LockSupport.park"); // microseconds: lock hand-off
        Object out = BlockingHooks.enter();
        BlockingHooks.exitFile(out, "java.io.FileOutputStream.write", null, FileDescriptor.out);
        Object random = BlockingHooks.enter();
        BlockingHooks.exitFile(random, "java.io.FileInputStream.read", "/dev/urandom", new FileDescriptor());
        Object file = BlockingHooks.enter();
        BlockingHooks.exitFile(file, "java.io.FileInputStream.read", "/data/orders.csv", new FileDescriptor());
        List<Finding.Snapshot> findings = drain();
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).details).containsEntry("target", "/data/orders.csv").containsEntry("call", "java.io.FileInputStream.read");

        Object longPark = BlockingHooks.enterPark();
        Thread.sleep(5);
        BlockingHooks.exit(longPark, "java.util.concurrent.locks.LockSupport.parkNanos");
        drain();
        assertThat(metrics.calls(loop.label, BlockingCalls.PARK)).isEqualTo(1);
    }

    @Test
    void aLoopWaitingForWorkDoesNotReportItsOwnPark() throws Exception {
        BlockingHooks.idleEnter();
        assertThat(BlockingHooks.enterPark()).isNull();
        BlockingHooks.idleExit();
        assertThat(loop.idle()).isFalse();
        assertThat(loop.idleKnown()).isTrue();
    }

    @Test
    void otherThreadsAreNotLoops() throws Exception {
        AtomicReference<Object> seen = new AtomicReference<>("unset");
        Thread other = new Thread(() -> {
            Object l = BlockingHooks.enter();
            seen.set(l);
            BlockingHooks.exit(l, "java.lang.Thread.sleep");
            BlockingHooks.progress();
            BlockingHooks.idleEnter();
            BlockingHooks.idleExit();
        });
        other.start();
        other.join();
        assertThat(seen.get()).isNull();
        assertThat(BlockingHooks.onLoop()).isTrue();
        BlockingHooks.install(null);
        assertThat(BlockingHooks.onLoop()).as("a detach forgets every loop").isFalse();
        assertThat(BlockingHooks.enter()).isNull();
    }

    @Test
    void progressCarriesTheRouteOfTheHandlerRead() {
        int before = loop.generation();
        String previous = RequestContext.enter("GET /cpu");
        try {
            BlockingHooks.progressRead();
        } finally {
            RequestContext.exit(previous);
        }
        assertThat(loop.generation()).isEqualTo(before + 1);
        assertThat(loop.route()).isEqualTo("GET /cpu");
        BlockingHooks.progress();
        assertThat(loop.route()).isNull();
    }

    @Test
    void theWarmUpRunsEveryPathAndYieldsFindings() throws Exception {
        BlockingHooks.install(null);
        List<FindingEvent> seen = new java.util.ArrayList<>();
        io.jdiag.agent.core.WarmUpContext scratch = new io.jdiag.agent.core.WarmUpContext(io.jdiag.agent.core.Config.defaults());
        BlockingDetector.warmUp(scratch, seen::add);
        assertThat(seen).extracting(e -> e.toString()).isNotEmpty();
        assertThat(scratch.findings().snapshot()).isEmpty();
    }
}
