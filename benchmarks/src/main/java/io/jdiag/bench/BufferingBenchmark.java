package io.jdiag.bench;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the {@code buffering} detector adds to a {@code ByteArrayOutputStream} write loop: every write
 * runs {@code ensureCapacity}, into which the agent weaves a before/after comparison of the buffer's
 * length. One op = 4096 single-byte writes into a fresh stream (which grows from 32 bytes to 4 KiB,
 * seven times) plus {@code toByteArray()}, the same without {@code toByteArray()}, and 4096 writes of
 * 16-byte chunks into a reused one; and a whole read below the threshold. Aim (issue [7/10]): at most 3%
 * on the loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BufferingBenchmark {
    private static final int WRITES = 4096;
    private final byte[] chunk = new byte[16];
    private final byte[] kib = new byte[1024];
    private final ByteArrayOutputStream reused = new ByteArrayOutputStream(WRITES * 16);

    @Setup
    public void check() {
        HookCheck.verify("io.jdiag.bootstrap.BufferingHooks");
    }

    /** Single bytes into a new stream, growing as it goes, then taken out whole. */
    @Benchmark
    public byte[] writeBytesLoop() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < WRITES; i++) {
            out.write(i);
        }
        return out.toByteArray();
    }

    /** The same writes without taking the bytes out: the growth check alone. */
    @Benchmark
    public int writeBytesNoCopy() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < WRITES; i++) {
            out.write(i);
        }
        return out.size();
    }

    /**
     * {@code readAllBytes()} of a 1 KiB stream that inherits {@code InputStream}'s (as servlet, socket and
     * most library streams do): a whole read below the threshold, which the agent counts once and records
     * in a histogram.
     */
    @Benchmark
    public byte[] readAllBytesSmall() throws java.io.IOException {
        return new java.io.FilterInputStream(new java.io.ByteArrayInputStream(kib)) { }.readAllBytes();
    }

    /** 16-byte chunks into a stream that is reset and never grows: the pure per-write cost. */
    @Benchmark
    public int writeChunksLoop() {
        reused.reset();
        for (int i = 0; i < WRITES; i++) {
            reused.write(chunk, 0, chunk.length);
        }
        return reused.size();
    }
}
