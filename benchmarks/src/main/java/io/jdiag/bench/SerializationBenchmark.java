package io.jdiag.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
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

    @Setup
    public void check() {
        HookCheck.verify("io.jdiag.bootstrap.SerializationHooks");
    }

    @Benchmark
    public byte[] writeValueAsBytes() throws Exception {
        return mapper.writeValueAsBytes(order);
    }
}
