package io.jdiag.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the {@code blocking} detector's check costs a thread that is not an event loop — nearly every
 * thread that sleeps, waits, parks or does I/O. The agent's loop table is made non-empty the way an
 * application with event loops has it: {@link RunAll} starts the agent forks with
 * {@code blocking.threads=jdiag-bench-loop-.*}, and this benchmark starts four idle threads of that
 * name, which the agent registers as loops. The benchmark thread is not one.
 *
 * <ul>
 *   <li>{@code latchAwaitOpen}: {@code CountDownLatch.await()} on a latch at zero, a real woven JDK
 *       method that never blocks: the advice and the check, end to end;</li>
 *   <li>{@code futureGetDone}: {@code CompletableFuture.get()} on a completed future, likewise;</li>
 *   <li>{@code hooksAlone}: {@code BlockingHooks.enter()} then {@code exit(null, ...)} through method
 *       handles, what the advice calls (no-ops without the agent).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BlockingCheckBenchmark {
    static final String LOOP_THREADS = "jdiag-bench-loop-";
    private static final MethodHandle ENTER = hook("enter", MethodType.methodType(Object.class));
    private static final MethodHandle EXIT = hook("exit", MethodType.methodType(void.class, Object.class, String.class));

    private final CountDownLatch open = new CountDownLatch(0);
    private final CompletableFuture<String> done = CompletableFuture.completedFuture("done");

    private static MethodHandle hook(String name, MethodType type) {
        try {
            Class<?> hooks = Class.forName("io.jdiag.bootstrap.BlockingHooks", true, null);
            return MethodHandles.publicLookup().findStatic(hooks, name, type);
        } catch (ClassNotFoundException e) {
            return MethodHandles.empty(type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Setup
    public void loops() throws InterruptedException {
        AgentCheck.verify();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (true) {
                    LockSupport.park();
                }
            }, LOOP_THREADS + i);
            t.setDaemon(true);
            t.start();
        }
        if (hasAgent()) {
            // The agent matches thread names once a second: wait until the table holds the loops.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loopTable() == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("jdiag bench: the agent registered no loop; was it started with blocking.threads="
                            + LOOP_THREADS + ".* ?");
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean hasAgent() {
        try {
            Class.forName("io.jdiag.bootstrap.BlockingHooks", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Object loopTable() {
        try {
            Field f = Class.forName("io.jdiag.bootstrap.BlockingHooks", false, null).getDeclaredField("loops");
            f.setAccessible(true);
            return f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public CountDownLatch latchAwaitOpen() throws InterruptedException {
        open.await();
        return open;
    }

    @Benchmark
    public String futureGetDone() throws InterruptedException, ExecutionException {
        return done.get();
    }

    @Benchmark
    public Object hooksAlone() throws Throwable {
        Object loop = (Object) ENTER.invokeExact();
        EXIT.invokeExact(loop, "java.lang.Thread.sleep");
        return loop;
    }
}
