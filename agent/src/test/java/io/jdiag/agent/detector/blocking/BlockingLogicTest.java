package io.jdiag.agent.detector.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Labels, call names and the reading of sampled stacks: pure logic. */
class BlockingLogicTest {
    @Test
    void loopLabelIsTheThreadNameFamilyAndBounded() {
        assertThat(LoopLabels.family("multiThreadIoEventLoopGroup-3-1")).isEqualTo("multiThreadIoEventLoopGroup-3");
        assertThat(LoopLabels.family("nioEventLoopGroup-2-12")).isEqualTo("nioEventLoopGroup-2");
        assertThat(LoopLabels.family("vert.x-eventloop-thread-0")).isEqualTo("vert.x-eventloop-thread");
        assertThat(LoopLabels.family("reactor-http-epoll-4")).isEqualTo("reactor-http-epoll");
        assertThat(LoopLabels.family("my-loop")).isEqualTo("my-loop");
        assertThat(LoopLabels.family("42")).isEqualTo("42");
        assertThat(LoopLabels.family("")).isEqualTo("unnamed");

        LoopLabels labels = new LoopLabels();
        for (int i = 0; i < LoopLabels.MAX; i++) {
            assertThat(labels.label("group" + i + "-1-1")).isEqualTo("group" + i + "-1");
        }
        assertThat(labels.label("one-too-many-1")).isEqualTo(LoopLabels.OTHER);
        assertThat(labels.label("group0-1-7")).as("a known family keeps its label").isEqualTo("group0-1");
    }

    @Test
    void callsAreNamedByThePublicApi() {
        assertThat(BlockingCalls.apiName("sun.nio.ch.NioSocketImpl.read")).isEqualTo("java.net.Socket.read");
        assertThat(BlockingCalls.apiName("sun.nio.ch.FileChannelImpl.transferTo")).isEqualTo("java.nio.channels.FileChannel.transferTo");
        assertThat(BlockingCalls.apiName("java.util.concurrent.CompletableFuture.get")).isEqualTo("java.util.concurrent.Future.get");
        assertThat(BlockingCalls.apiName("java.util.concurrent.locks.LockSupport.parkNanos")).isEqualTo(BlockingCalls.PARK);
        assertThat(BlockingCalls.apiName("java.lang.Thread.sleep")).isEqualTo("java.lang.Thread.sleep");
        assertThat(BlockingCalls.shortName("java.sql.Statement.executeQuery")).isEqualTo("Statement.executeQuery");
    }

    @Test
    void aSampleStuckInANativeSleepIsThatCall() {
        // JDK 17: Thread.sleep(long) is native, so no advice sees it; the sample does.
        List<String> jdk17 = Arrays.asList("java.lang.Thread.sleep(Native Method)",
                "com.example.Handler.slow(Handler.java:12)", "io.netty.channel.AbstractChannelHandlerContext.fireChannelRead(X.java:1)");
        assertThat(BlockingCalls.classify(jdk17).call).isEqualTo(BlockingCalls.SLEEP);
        List<String> wait = Arrays.asList("java.lang.Object.wait(Native Method)", "java.lang.Object.wait(Object.java:338)",
                "com.example.Handler.slow(Handler.java:12)");
        assertThat(BlockingCalls.classify(wait).call).isEqualTo(BlockingCalls.WAIT);
        List<String> socket = Arrays.asList("sun.nio.ch.Net.poll(Native Method)", "sun.nio.ch.NioSocketImpl.park(NioSocketImpl.java:186)",
                "sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:290)", "sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:343)",
                "java.net.Socket$SocketInputStream.read(Socket.java:966)", "org.postgresql.core.PGStream.receive(PGStream.java:1)");
        assertThat(BlockingCalls.classify(socket).call).isEqualTo("java.net.Socket.read");
    }

    @Test
    void aSampleInApplicationCodeIsRunningAndOneInTheSelectorIsIdle() {
        List<String> cpu = Arrays.asList("java.lang.Math.sqrt(Math.java:1)", "com.example.Handler.crunch(Handler.java:40)",
                "java.lang.Thread.sleep(Native Method)");
        BlockingCalls.Sample running = BlockingCalls.classify(cpu);
        assertThat(running.call).as("a blocking frame below application code is not where it is stuck").isNull();
        assertThat(running.idle).isFalse();
        List<String> idle = Arrays.asList("sun.nio.ch.EPoll.wait(Native Method)", "sun.nio.ch.EPollSelectorImpl.doSelect(X.java:1)",
                "sun.nio.ch.SelectorImpl.lockAndDoSelect(SelectorImpl.java:129)", "sun.nio.ch.SelectorImpl.select(X.java:1)",
                "io.netty.channel.nio.NioIoHandler.select(X.java:1)");
        assertThat(BlockingCalls.classify(idle).idle).isTrue();
    }

    @Test
    void nettyIoLoopsAreRecognisedByClassNotByName() {
        assertThat(LoopRegistry.isIoEventLoop(io.netty.channel.nio.NioEventLoop.class)).isTrue();
        assertThat(LoopRegistry.isIoEventLoop(io.netty.channel.DefaultEventLoop.class)).as("an offload pool").isFalse();
        assertThat(LoopRegistry.isIoEventLoop(io.netty.util.concurrent.DefaultEventExecutor.class)).isFalse();
        assertThat(LoopRegistry.isIoEventLoop(Object.class)).isFalse();
    }

    @Test
    void theLoopTableFindsEveryLoopByThreadId() {
        List<LoopState> loops = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            loops.add(new LoopState(new Thread("loop-" + i), "loop", null, null));
        }
        io.jdiag.bootstrap.BlockingHooks.Loop[] table = LoopRegistry.table(loops);
        assertThat(Integer.bitCount(table.length)).isEqualTo(1);
        assertThat(table.length).isGreaterThanOrEqualTo(4 * loops.size());
        assertThat(Arrays.stream(table).filter(java.util.Objects::nonNull)).hasSize(loops.size());
        assertThat(LoopRegistry.table(java.util.Collections.emptyList())).isNull();
    }

    @Test
    void threadsNamedByTheUserAreRegisteredAndEndedOnesDropped() throws Exception {
        java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        Thread named = new Thread(() -> {
            try {
                stop.await();
            } catch (InterruptedException ignored) {
                // ends the thread
            }
        }, "custom-loop-7");
        Thread other = new Thread(named::getName, "custom-loopy");
        named.start();
        List<io.jdiag.bootstrap.BlockingHooks.Loop[]> published = new java.util.ArrayList<>();
        LoopRegistry registry = new LoopRegistry(java.util.regex.Pattern.compile("custom-loop-[0-9]+"),
                (t, label, executor) -> new LoopState(t, label, executor, null), published::add);
        try {
            registry.scanNamed();
            assertThat(registry.loops()).extracting(l -> l.thread).containsExactly(named);
            assertThat(registry.loops().get(0).label).isEqualTo("custom-loop");
            assertThat(published).hasSize(1);
            registry.scanNamed();
            assertThat(published).as("a name is matched once").hasSize(1);
        } finally {
            stop.countDown();
            named.join();
        }
        registry.dropDead();
        assertThat(registry.loops()).isEmpty();
        assertThat(published.get(published.size() - 1)).as("no loop left: no table").isNull();
        assertThat(other.getName()).isEqualTo("custom-loopy");
    }
}
