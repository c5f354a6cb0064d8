package io.jdiag.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * {@code cpu.time.norm}: CPU time the whole forked JVM used per operation (every thread: the
 * benchmark's, the agent's own, GC and JIT; user and kernel). Unlike wall time it hardly moves
 * when other processes compete for the cores, so it compares configurations on a busy machine,
 * and it charges the agent for the work it does off the application thread too.
 * Normalised by all operations of the iteration, as JMH's {@code gc.alloc.rate.norm} is.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    static final String NAME = "cpu.time.norm";

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private long startNanos;

    @Override
    public String getDescription() {
        return "process CPU time per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startNanos = OS.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long used = OS.getProcessCpuTime() - startNanos;
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0 || used < 0) {
            return List.of();
        }
        return List.of(new ScalarResult(NAME, (double) used / ops, "ns/op", AggregationPolicy.AVG));
    }
}
