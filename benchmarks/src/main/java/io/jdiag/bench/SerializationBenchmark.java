package io.jdiag.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the {@code serialization} detector adds to one Jackson call: {@code ObjectMapper.writeValueAsBytes}
 * of a small object (about 100 bytes of JSON), the kind of call a JSON API makes per request. With the
 * agent the call is timed (two clock reads), its size and time recorded in two histograms, and the
 * thread's route looked up. Aim (issue [7/10]): at most 50 ns added per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SerializationBenchmark {
    /** A small response body. Public fields: Jackson serializes them without getters. */
    public static final class Order {
        public long id = 4711;
        public String customer = "customer-4711";
        public String status = "shipped";
        public double amount = 129.95;
        public List<String> tags = List.of("express", "gift");
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final Order order = new Order();
    private final byte[] json = new byte[100];

    private static final MethodHandle ENTER = hook("enter", MethodType.methodType(Object.class));
    private static final MethodHandle EXIT = hook("exit",
            MethodType.methodType(void.class, Object.class, int.class, int.class, Object.class, Object.class));

    /** The hooks when the agent put them on the bootstrap class path; no-ops without it. */
    private static MethodHandle hook(String name, MethodType type) {
        try {
            Class<?> hooks = Class.forName("io.jdiag.bootstrap.SerializationHooks", true, null);
            return MethodHandles.publicLookup().findStatic(hooks, name, type);
        } catch (ClassNotFoundException e) {
            return type.returnType() == void.class ? MethodHandles.empty(type)
                    : MethodHandles.dropArguments(MethodHandles.constant(Object.class, null), 0, type.parameterList());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Setup
    public void check() {
        HookCheck.verify("io.jdiag.bootstrap.SerializationHooks");
    }

    @Benchmark
    public byte[] writeValueAsBytes() throws Exception {
        return mapper.writeValueAsBytes(order);
    }

    /**
     * What the advice around {@code writeValueAsBytes} runs, alone: {@code SerializationHooks.enter()} and
     * {@code exit(...)} with the same arguments, without Jackson's own work and its noise.
     */
    @Benchmark
    public Object hooksOnly() throws Throwable {
        Object frame = (Object) ENTER.invokeExact();
        EXIT.invokeExact(frame, 0, 0, (Object) order, (Object) json);
        return frame;
    }

    /** Two {@code System.nanoTime()} reads, the floor of timing a call exactly, on this machine. */
    @Benchmark
    public long twoClockReads() {
        long start = System.nanoTime();
        return System.nanoTime() - start;
    }
}
