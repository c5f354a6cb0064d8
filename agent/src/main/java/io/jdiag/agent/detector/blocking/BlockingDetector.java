package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.core.ConfigKey;
import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.agent.core.WarmUpContext;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.bootstrap.BlockingHooks;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@code blocking}: blocking calls and stalls on event-loop threads — Netty's I/O loops (so also
 * Vert.x's and Reactor Netty's) and threads named by {@code blocking.threads}. The advice times the
 * blocking calls a loop makes; a watchdog on the agent thread measures each loop's scheduling lag and
 * samples the stack of a loop stuck in one task longer than {@code blocking.stall.threshold}.
 */
public final class BlockingDetector implements Detector {
    static final ConfigKey THREADS = ConfigKey.regex("blocking.threads", null,
            "extra regex of thread names treated as event loops, besides the Netty, Vert.x and Reactor Netty loops found by themselves");
    static final ConfigKey STALL_THRESHOLD = ConfigKey.duration("blocking.stall.threshold", "100ms",
            "a loop task running longer is a stall: the loop's stack is sampled while it is stuck");
    /** How often the watchdog looks at every loop; the agent thread's own tick (20 ms) bounds it from below. */
    static final long WATCH_MILLIS = 20;
    /** How often threads are matched against {@code blocking.threads} and ended loops dropped. */
    static final long SCAN_MILLIS = 1000;

    private LoopRegistry registry;
    private DetectorContext context;

    @Override
    public String name() {
        return "blocking";
    }

    @Override
    public String description() {
        return "event-loop blocking detector";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return Arrays.asList(THREADS, STALL_THRESHOLD);
    }

    /** Frameworks that run handlers on loops, and JDBC drivers and pools: the handler calling them is the site. */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("io.netty.", "io.vertx.", "reactor.netty.", "reactor.core.",
                "org.postgresql.", "org.h2.", "com.mysql.", "org.mariadb.", "oracle.jdbc.", "com.microsoft.sqlserver.",
                "com.zaxxer.hikari.", "org.apache.commons.dbcp2.", "org.apache.tomcat.jdbc.");
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        return Arrays.asList(new ThreadSleepInstrumentation(), new ObjectWaitInstrumentation(),
                new LockSupportInstrumentation(), new SynchronizerInstrumentation(), new NioSocketInstrumentation(),
                new FileStreamInstrumentation.Input(), new FileStreamInstrumentation.Output(),
                new FileChannelInstrumentation(), new JdbcStatementInstrumentation(), new LoopIdleInstrumentation(),
                new NettyLoopInstrumentation.Executor(), new NettyLoopInstrumentation.Task(),
                new NettyLoopInstrumentation.Read(), new NettyLoopInstrumentation.NativeWait());
    }

    @Override
    public void start(DetectorContext context) {
        this.context = context;
        BlockingMetrics metrics = new BlockingMetrics().register(context.registry());
        registry = new LoopRegistry(context.config().pattern(THREADS),
                (thread, label, executor) -> new LoopState(thread, label, executor, metrics.series(label).lag),
                BlockingHooks::loops);
        metrics.loops(registry::loops);
        long stallNanos = context.config().nanos(STALL_THRESHOLD);
        BlockingAnalyzer analyzer = new BlockingAnalyzer(registry, metrics, context.findings()::record, context.events(),
                stallNanos);
        StallWatchdog watchdog = new StallWatchdog(registry, analyzer, metrics, stallNanos, System::nanoTime,
                Thread::getStackTrace);
        BlockingHooks.install(analyzer);
        context.every(WATCH_MILLIS, watchdog::tick);
        context.every(SCAN_MILLIS, () -> {
            registry.dropDead();
            registry.scanNamed();
        });
    }

    @Override
    public void warmUp() throws Exception {
        WarmUpContext scratch = new WarmUpContext(context.config());
        warmUp(scratch, scratch.findings()::record);
        scratch.drain();
    }

    /**
     * The real paths once on throw-away collaborators: a blocking call on a loop (this thread, in a
     * registry whose table goes nowhere), its event handled as the agent thread would, a lag probe, a
     * stall sampled and classified both ways. So everything a loop thread or the watchdog needs is
     * loaded before any hook can reach it.
     */
    static void warmUp(WarmUpContext scratch, Consumer<FindingEvent> findings) throws Exception {
        BlockingMetrics metrics = new BlockingMetrics().register(new CollectorRegistry());
        LoopRegistry registry = new LoopRegistry(java.util.regex.Pattern.compile("jdiag-warmup"),
                (thread, label, executor) -> new LoopState(thread, label, executor, metrics.series(label).lag),
                table -> { });
        metrics.loops(registry::loops);
        BlockingAnalyzer analyzer = new BlockingAnalyzer(registry, metrics, findings, scratch.events(), Long.MAX_VALUE);
        Executor direct = Runnable::run;
        LoopState loop = registry.register(Thread.currentThread(), direct);
        analyzer.blocked(loop, "sun.nio.ch.NioSocketImpl.read", 1_000_000, null);
        analyzer.blocked(loop, "java.io.FileInputStream.read", 1_000, "/dev/urandom");
        analyzer.loopThread(new Object());
        LockHandOff.current();
        scratch.drain();
        StackTraceElement[] cpu = {new StackTraceElement("io.jdiag.warmup.Handler", "work", "Handler.java", 1)};
        StackTraceElement[] sleep = {new StackTraceElement("java.lang.Thread", "sleep", null, -2),
            new StackTraceElement("io.jdiag.warmup.Handler", "work", "Handler.java", 1)};
        StackTraceElement[][] next = {cpu};
        long[] now = {0};
        StallWatchdog watchdog = new StallWatchdog(registry, analyzer, metrics, 1, () -> now[0], t -> next[0]);
        loop.idleKnownForWarmUp();
        for (StackTraceElement[] sample : new StackTraceElement[][] {cpu, sleep}) {
            next[0] = sample;
            watchdog.tick();
            now[0] += StallWatchdog.PROBE_INTERVAL_NANOS; // a stall; the probe runs at once on the direct executor
            watchdog.tick();
            loop.progressForWarmUp();
            watchdog.tick();
        }
        registry.scanNamed();
        registry.dropDead();
        metrics.collect();
        registry.clear();
    }

    @Override
    public void stop() {
        BlockingHooks.install(null);
        if (registry != null) {
            registry.clear();
        }
    }
}
