package io.jdiag.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The {@code pools} hook path alone, without a pool: what the advice woven into a pool's acquire and
 * return calls, i.e. {@code PoolsHooks.acquireStart()}, {@code acquired(...)} and {@code released(...)},
 * for one borrow and its return of a connection whose pool entry is reused (as a pool reuses it).
 * {@link HikariBorrowBenchmark} measures the same inside a real HikariCP pool, whose own cost varies more
 * on a busy machine than the hooks do; this isolates them.
 *
 * <p>{@code PoolsHooks} lives on the bootstrap class path only when the agent is attached; without it the
 * hooks are no-ops here, so the "no agent" figure is the cost of the benchmark's own allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolsHookBenchmark {
    /** {@code PoolsHooks.HIKARI}: the entry is read from the handle's {@code poolEntry} field. */
    private static final int HIKARI = 0;
    private static final MethodHandle ACQUIRE_START = hook("acquireStart", MethodType.methodType(long.class));
    private static final MethodHandle ACQUIRED = hook("acquired",
            MethodType.methodType(void.class, int.class, Object.class, Object.class, long.class));
    private static final MethodHandle RELEASED = hook("released", MethodType.methodType(void.class, int.class, Object.class));

    /** Shaped like HikariCP's {@code PoolEntry}: {@code recycle} sets its return time before the return hook. */
    static final class Entry {
        long lastAccessed;
    }

    /** Shaped like HikariCP's {@code ProxyConnection}, made anew for every borrow as HikariCP does. */
    static final class Proxy {
        final Object poolEntry;

        Proxy(Object poolEntry) {
            this.poolEntry = poolEntry;
        }
    }

    private final Object pool = new Object();
    private final Entry entry = new Entry();

    private static MethodHandle hook(String name, MethodType type) {
        try {
            Class<?> hooks = Class.forName("io.jdiag.bootstrap.PoolsHooks", true, null);
            return MethodHandles.publicLookup().findStatic(hooks, name, type);
        } catch (ClassNotFoundException e) {
            return type.returnType() == long.class
                    ? MethodHandles.dropArguments(MethodHandles.constant(long.class, 0L), 0, type.parameterList())
                    : MethodHandles.empty(type);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Setup
    public void check() {
        AgentCheck.verify();
    }

    /** One borrow (timed, its hold marked) and its return (its hold time recorded). */
    @Benchmark
    public Object borrowReturn() throws Throwable {
        Proxy handle = new Proxy(entry);
        long start = (long) ACQUIRE_START.invokeExact();
        ACQUIRED.invokeExact(HIKARI, pool, (Object) handle, start);
        entry.lastAccessed = System.nanoTime(); // HikariCP's own clock read, part of the baseline
        RELEASED.invokeExact(HIKARI, (Object) entry);
        return handle;
    }
}
