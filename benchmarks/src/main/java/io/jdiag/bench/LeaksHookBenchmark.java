package io.jdiag.bench;

import java.io.File;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The {@code leaks} hook path alone, without the system calls of a real open and close: what the
 * advice woven into a {@code FileInputStream} constructor and its {@code close()} call, i.e.
 * {@code LeaksHooks.opened(stream, "file", file)} then {@code LeaksHooks.closed(stream)}, on a
 * fresh object each time. The open+close of {@link FileOpenCloseBenchmark} costs several µs of
 * kernel time, which varies more than the hooks cost; this isolates the hooks.
 *
 * <p>{@code LeaksHooks} lives on the bootstrap class path only when the agent is attached; without
 * it the hooks are no-ops here, so the "no agent" figure is the cost of allocating the object.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeaksHookBenchmark {
    private static final MethodHandle OPENED = hook("opened",
            MethodType.methodType(void.class, Object.class, String.class, Object.class));
    private static final MethodHandle CLOSED = hook("closed",
            MethodType.methodType(void.class, Object.class));

    private final File file = new File("/tmp/jdiag-bench-hook.bin");

    /**
     * Extra frames under the hooks. A sampled open captures the whole stack, so its cost grows
     * with depth: the JMH harness is ~20 frames deep, a request handler in a servlet container
     * 60-150. Run with {@code -p extraDepth=100} to see what a deep stack costs at rate 1.
     */
    @Param("0")
    public int extraDepth;

    private static MethodHandle hook(String name, MethodType type) {
        try {
            Class<?> hooks = Class.forName("io.jdiag.bootstrap.LeaksHooks", true, null);
            return MethodHandles.publicLookup().findStatic(hooks, name, type);
        } catch (ClassNotFoundException e) {
            return MethodHandles.empty(type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Setup
    public void check() {
        AgentCheck.verify();
    }

    /** opened + closed on a new object: one tracked resource's whole life, closed properly. */
    @Benchmark
    public Object openedClosed() throws Throwable {
        return extraDepth == 0 ? openClose() : deeper(extraDepth);
    }

    private Object deeper(int depth) throws Throwable {
        return depth == 0 ? openClose() : deeper(depth - 1);
    }

    private Object openClose() throws Throwable {
        Object resource = new Object();
        OPENED.invokeExact(resource, "file", (Object) file);
        CLOSED.invokeExact(resource);
        return resource;
    }
}
