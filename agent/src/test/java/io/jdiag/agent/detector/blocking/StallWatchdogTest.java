package io.jdiag.agent.detector.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.report.Finding;
import io.jdiag.agent.report.FindingsStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The watchdog with a hand-driven clock, sampler and loop: when a loop counts as stuck, and what is reported. */
class StallWatchdogTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final FindingsStore store = new FindingsStore(100);
    private final BlockingMetrics metrics = new BlockingMetrics();
    private final LoopRegistry registry = new LoopRegistry(null,
            (t, label, executor) -> new LoopState(t, label, executor, metrics.series(label).lag), table -> { });
    private final BlockingAnalyzer analyzer = new BlockingAnalyzer(registry, metrics, store::record, new EventPipeline(16), 100_000_000L);
    private long now = 1_000 * MS;
    private StackTraceElement[] sample = stack(new StackTraceElement("com.example.Handler", "crunch", "Handler.java", 40));
    private int samples;
    private final StallWatchdog watchdog = new StallWatchdog(registry, analyzer, metrics, 100 * MS, () -> now, t -> {
        samples++;
        return sample;
    });
    private final LoopState loop = registry.register(new Thread("nioEventLoopGroup-2-1"), null);

    private static StackTraceElement[] stack(StackTraceElement... top) {
        StackTraceElement[] s = new StackTraceElement[top.length + 1];
        System.arraycopy(top, 0, s, 0, top.length);
        s[top.length] = new StackTraceElement("io.netty.channel.nio.NioIoHandler", "run", "NioIoHandler.java", 1);
        return s;
    }

    private void advance(long millis) {
        now += millis * MS;
        watchdog.tick();
    }

    @Test
    void aBusyLoopWithoutProgressIsAStallReportedWithItsLengthWhenItEndsTheSecondTime() {
        loop.idleKnownForWarmUp();
        advance(0);
        advance(150);
        loop.progressForWarmUp();
        advance(20);
        assertThat(store.snapshot()).as("once may be the JVM warming up: held back").isEmpty();
        assertThat(metrics.stalls(loop.label)).isEqualTo(1);

        advance(60);
        assertThat(metrics.stalls(loop.label)).as("60 ms is no stall").isEqualTo(1);
        advance(60);
        assertThat(metrics.stalls(loop.label)).isEqualTo(2);
        assertThat(samples).as("sampled while stuck").isEqualTo(2);
        advance(200);
        assertThat(store.snapshot()).as("reported when it ends").isEmpty();
        loop.progressForWarmUp();
        advance(20);
        List<Finding.Snapshot> findings = store.snapshot();
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).kind).isEqualTo(BlockingAnalyzer.STALL);
        assertThat(findings.get(0).count).as("both stalls").isEqualTo(2);
        assertThat(findings.get(0).summary).isEqualTo("event loop nioEventLoopGroup-2 stuck in one task for 340 ms in Handler.crunch");
    }

    @Test
    void stallsOfSeveralLoopsAtOnceAtOneSiteAreOneWarmUp() {
        LoopState other = registry.register(new Thread("nioEventLoopGroup-2-2"), null);
        loop.idleKnownForWarmUp();
        other.idleKnownForWarmUp();
        advance(0);
        advance(150);
        loop.progressForWarmUp();
        advance(20);
        other.progressForWarmUp();
        advance(20);
        assertThat(metrics.stalls(loop.label)).isEqualTo(2);
        assertThat(store.snapshot()).as("both loops waited for the same first use of a class").isEmpty();
    }

    @Test
    void anIdleLoopIsNeverStuck() {
        loop.idleForTest();
        for (int i = 0; i < 20; i++) {
            advance(50);
        }
        assertThat(metrics.stalls(loop.label)).isZero();
        assertThat(samples).isZero();
    }

    @Test
    void aLoopWhoseIdleWaitIsUnknownNeedsAWaitingProbeToCountAsStuck() {
        for (int i = 0; i < 20; i++) {
            advance(50);
        }
        assertThat(metrics.stalls(loop.label)).as("no executor, no probe: cannot tell idle from stuck").isZero();
    }

    @Test
    void aStallInANativeSleepIsTheBlockingCallItIs() {
        sample = stack(new StackTraceElement("java.lang.Thread", "sleep", null, -2),
                new StackTraceElement("com.example.Handler", "nap", "Handler.java", 12));
        loop.idleKnownForWarmUp();
        advance(0);
        advance(150);
        loop.progressForWarmUp();
        advance(50);
        List<Finding.Snapshot> findings = store.snapshot();
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).kind).isEqualTo(BlockingAnalyzer.BLOCKING_CALL);
        assertThat(findings.get(0).details).containsEntry("call", BlockingCalls.SLEEP).containsEntry("seenBy", "watchdog");
        assertThat(metrics.calls(loop.label, BlockingCalls.SLEEP)).isEqualTo(1);
    }

    @Test
    void aStallThatGoesOnIsReportedWhileItLasts() {
        loop.idleKnownForWarmUp();
        advance(0);
        advance(150);
        for (int i = 0; i < 100; i++) {
            advance(25);
        }
        List<Finding.Snapshot> findings = store.snapshot();
        assertThat(findings).as("a long stall is reported the first time").hasSize(1);
        assertThat(findings.get(0).details).containsEntry("ongoing", true);
    }

    @Test
    void classLoadingAndTheIdleSelectorAreNoFinding() {
        sample = stack(new StackTraceElement("java.util.zip.ZipFile", "getEntry", "ZipFile.java", 1),
                new StackTraceElement("jdk.internal.loader.BuiltinClassLoader", "loadClass", "X.java", 1),
                new StackTraceElement("com.example.Handler", "first", "Handler.java", 1));
        loop.idleKnownForWarmUp();
        advance(0);
        advance(150);
        loop.progressForWarmUp();
        advance(20);
        assertThat(store.snapshot()).isEmpty();
        assertThat(metrics.stalls(loop.label)).as("the loop was stuck all the same").isEqualTo(1);
    }
}
