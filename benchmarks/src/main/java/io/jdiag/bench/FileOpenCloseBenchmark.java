package io.jdiag.bench;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the {@code leaks} detector adds to the cheapest resource there is: opening and closing a
 * {@code FileInputStream} on a small file that the page cache holds. With the agent attached,
 * the constructor reports the stream as opened (a weak-reference record put in a concurrent map,
 * plus a stack when sampled) and {@code close()} removes it.
 *
 * <p>The agent is not loaded here: {@link RunAll} forks this benchmark with and without
 * {@code -javaagent}. Run alone, {@code java -jar benchmarks.jar FileOpenClose} measures no agent.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FileOpenCloseBenchmark {
    private File file;

    @Setup
    public void createFile() throws IOException {
        AgentCheck.verify();
        file = File.createTempFile("jdiag-bench-", ".bin");
        Files.write(file.toPath(), new byte[] {42});
    }

    @TearDown
    public void deleteFile() throws IOException {
        Files.deleteIfExists(file.toPath());
    }

    /** One open and one close; the closed stream is returned so the JIT cannot drop either. */
    @Benchmark
    public FileInputStream openClose() throws IOException {
        FileInputStream in = new FileInputStream(file);
        in.close();
        return in;
    }
}
