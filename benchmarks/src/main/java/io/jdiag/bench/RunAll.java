package io.jdiag.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.ListStatistics;

/**
 * {@code make bench}: runs the benchmarks in forks without the agent and with it at
 * {@code leaks.sample.rate} 1 and 0.01, measures time and allocation per operation (JMH's GC
 * profiler), prints what the agent adds and writes the same table as Markdown to
 * {@code benchmarks/target/results.md}, ready for {@code docs/performance.md}.
 *
 * <p>The forks of the configurations take turns (round-robin), so that load from anything else
 * running on the machine spreads over all of them. System properties:
 * <ul>
 *   <li>{@code jdiag.agent.jar}: the agent; default {@code agent/target/jdiag-agent.jar} of the
 *       repository this {@code benchmarks.jar} was built in</li>
 *   <li>{@code bench.quick=true}: 1 fork, 1 + 1 iterations of 1 s, without the agent and with it at
 *       leaks.sample.rate=0.01 only: a smoke run, not a measurement</li>
 *   <li>default: 3 forks per configuration, each 5 warmup + 5 measurement iterations of 1 s</li>
 *   <li>{@code bench.include}: JMH regex of benchmarks to run; default every benchmark in this module</li>
 *   <li>{@code bench.forks}, {@code bench.warmup}, {@code bench.iterations}, {@code bench.time}
 *       (seconds per iteration): override the settings below</li>
 *   <li>{@code bench.jvm}: the java binary of the forks; default the one running this driver</li>
 *   <li>{@code bench.out}: the Markdown file; default {@code results.md} next to {@code benchmarks.jar}</li>
 * </ul>
 */
public final class RunAll {
    /** Fixed heap in every fork: no heap resizing in the middle of a measurement. */
    private static final String[] FORK_JVM_ARGS = {"-Xms512m", "-Xmx512m"};
    private static final String GC_NORM = "gc.alloc.rate.norm";
    /** The aim of issue [1/9]: at most this much added per open+close at rate 0.01. */
    private static final double AIM_NS = 1000;

    private RunAll() {}

    /** One set of forks: a name for the table and what it appends to the fork's command line. */
    static final class Configuration {
        final String name;
        final String expect;
        final List<String> jvmArgs;

        Configuration(String name, String expect, List<String> jvmArgs) {
            this.name = name;
            this.expect = expect;
            this.jvmArgs = jvmArgs;
        }
    }

    /** Per-iteration results of all forks of one configuration. */
    static final class Samples {
        final ListStatistics ns = new ListStatistics();
        final ListStatistics bytes = new ListStatistics();
        final ListStatistics cpu = new ListStatistics();

        Score score() {
            return new Score(ns.getMean(), error(ns), cpu.getN() > 0 ? cpu.getMean() : Double.NaN, error(cpu),
                    bytes.getN() > 0 ? bytes.getMean() : Double.NaN);
        }

        private static double error(ListStatistics s) {
            return s.getN() > 2 ? s.getMeanErrorAt(0.999) : Double.NaN;
        }
    }

    /** Mean and 99.9% confidence half-width, as JMH reports them (NaN when too few samples). */
    static final class Score {
        final double ns;
        final double nsError;
        final double cpuNs;
        final double cpuNsError;
        final double bytes;

        Score(double ns, double nsError, double cpuNs, double cpuNsError, double bytes) {
            this.ns = ns;
            this.nsError = nsError;
            this.cpuNs = cpuNs;
            this.cpuNsError = cpuNsError;
            this.bytes = bytes;
        }
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Path benchDir = benchmarksTargetDir();
        Path agentJar = agentJar(benchDir);
        boolean quick = Boolean.getBoolean("bench.quick");
        int forks = Integer.getInteger("bench.forks", quick ? 1 : 3);
        int warmup = Integer.getInteger("bench.warmup", quick ? 1 : 5);
        int iterations = Integer.getInteger("bench.iterations", quick ? 1 : 5);
        int seconds = Integer.getInteger("bench.time", 1);
        String include = System.getProperty("bench.include", RunAll.class.getPackage().getName() + "\\..*Benchmark\\..*");
        String jvm = System.getProperty("bench.jvm");
        Path out = Paths.get(System.getProperty("bench.out", benchDir.resolve("results.md").toString()));

        String agent = "-javaagent:" + agentJar;
        // Loops for the blocking detector's check to look past (BlockingCheckBenchmark starts the threads).
        String loops = ",blocking.threads=" + BlockingCheckBenchmark.LOOP_THREADS + ".*";
        List<Configuration> all = List.of(
                new Configuration("no agent", AgentCheck.NONE, List.of()),
                new Configuration("agent, leaks.sample.rate=1", AgentCheck.LEAKS_ON,
                        List.of(agent + "=leaks.sample.rate=1,http.port=off" + loops)),
                new Configuration("agent, leaks.sample.rate=0.01", AgentCheck.LEAKS_ON,
                        List.of(agent + "=leaks.sample.rate=0.01,http.port=off" + loops)),
                // Control: the agent and its other detectors, without the leaks hooks.
                new Configuration("agent, leaks.enabled=false", AgentCheck.LEAKS_OFF,
                        List.of(agent + "=leaks.enabled=false,http.port=off" + loops)));
        // A smoke run (make test) proves every benchmark runs bare and with the everyday agent; the
        // other configurations only matter to a measurement.
        List<Configuration> configurations = quick ? List.of(all.get(0), all.get(2)) : all;

        // Configurations take turns, one fork each, round after round: load from anything else on
        // the machine (a build, a test) then lands on all of them alike instead of on one.
        // benchmark method -> configuration -> per-iteration samples
        Map<String, Map<String, Samples>> samples = new TreeMap<>();
        double loadBefore = loadAverage();
        for (int round = 1; round <= forks; round++) {
            for (Configuration c : configurations) {
                System.out.println();
                System.out.println("# jdiag bench: round " + round + "/" + forks + ", " + c.name + "  "
                        + String.join(" ", c.jvmArgs));
                List<String> append = new ArrayList<>(c.jvmArgs);
                append.add("-D" + AgentCheck.PROPERTY + "=" + c.expect);
                ChainedOptionsBuilder options = new OptionsBuilder()
                        .include(include)
                        .forks(1)
                        .warmupIterations(warmup)
                        .warmupTime(TimeValue.seconds(seconds))
                        .measurementIterations(iterations)
                        .measurementTime(TimeValue.seconds(seconds))
                        .threads(1)
                        .addProfiler(GCProfiler.class)
                        .addProfiler(CpuTimeProfiler.class)
                        .shouldFailOnError(true)
                        .jvmArgs(FORK_JVM_ARGS)
                        .jvmArgsAppend(append.toArray(new String[0]));
                if (jvm != null) {
                    options.jvm(jvm);
                }
                Collection<RunResult> results = new Runner(options.build()).run();
                if (results.isEmpty()) {
                    throw new IllegalStateException("no benchmark matched " + include);
                }
                for (RunResult r : results) {
                    String method = r.getParams().getBenchmark();
                    method = method.substring(method.lastIndexOf('.', method.lastIndexOf('.') - 1) + 1);
                    Samples s = samples.computeIfAbsent(method, k -> new LinkedHashMap<>())
                            .computeIfAbsent(c.name, k -> new Samples());
                    for (BenchmarkResult b : r.getBenchmarkResults()) {
                        for (IterationResult it : b.getIterationResults()) {
                            s.ns.addValue(it.getPrimaryResult().getScore());
                            Result<?> alloc = it.getSecondaryResults().get(GC_NORM);
                            if (alloc != null) {
                                s.bytes.addValue(alloc.getScore());
                            }
                            Result<?> cpu = it.getSecondaryResults().get(CpuTimeProfiler.NAME);
                            if (cpu != null) {
                                s.cpu.addValue(cpu.getScore());
                            }
                        }
                    }
                }
            }
        }
        double loadAfter = loadAverage();
        Map<String, Map<String, Score>> scores = new TreeMap<>();
        samples.forEach((method, byConfig) -> byConfig.forEach((config, s) ->
                scores.computeIfAbsent(method, k -> new LinkedHashMap<>()).put(config, s.score())));

        String settings = String.format(Locale.ROOT,
                "%d fork(s) x (%d warmup + %d measurement iterations of %d s) per configuration, forks of the "
                        + "configurations taking turns; 1 thread, mode avgt, -prof gc and CPU time per op (io.jdiag.bench.CpuTimeProfiler), forks with %s%s",
                forks, warmup, iterations, seconds, String.join(" ", FORK_JVM_ARGS),
                quick ? " (bench.quick: a smoke run, not a measurement)" : "");
        String table = markdown(scores, configurations);
        String report = "<!-- written by benchmarks/run.sh (io.jdiag.bench.RunAll) -->\n"
                + "- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + "\n"
                + "- machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + fmt(", load average %.1f before and %.1f after the run", loadBefore, loadAfter)
                + (Math.max(loadBefore, loadAfter) > Runtime.getRuntime().availableProcessors() * 0.75
                        ? " (**busy machine: figures are noisy**)" : "") + "\n"
                + "- JDK: " + (jvm != null ? jvm : System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version")) + "\n"
                + "- JMH: " + settings + "\n"
                + "- agent: `agent/target/jdiag-agent.jar` (copied to `" + agentJar.getFileName()
                        + "` for the run), appended as `-javaagent:<jar>=<options>`\n\n"
                + table
                + (quick ? fmt("%nbench.quick: a smoke run, too short to measure anything; no verdict.%n")
                        : verdict(scores, configurations) + blockingVerdict(scores, configurations));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, report.getBytes(StandardCharsets.UTF_8));
        System.out.println();
        System.out.println(report);
        System.out.println("written to " + out);
    }

    static String markdown(Map<String, Map<String, Score>> scores, List<Configuration> configurations) {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | configuration | ns/op (± 99.9% CI) | ns added per op | ratio "
                + "| CPU ns/op | CPU ns added per op | B/op | B/op added |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        String baseline = configurations.get(0).name;
        for (Map.Entry<String, Map<String, Score>> e : scores.entrySet()) {
            Score base = e.getValue().get(baseline);
            for (Configuration c : configurations) {
                Score s = e.getValue().get(c.name);
                if (s == null) {
                    continue;
                }
                boolean isBase = c.name.equals(baseline);
                sb.append("| ").append(e.getKey())
                        .append(" | ").append(c.name)
                        .append(" | ").append(withError(s.ns, s.nsError))
                        .append(" | ").append(isBase || base == null ? "—"
                                : withError(s.ns - base.ns, Math.hypot(s.nsError, base.nsError)))
                        // A ratio to a baseline that does next to nothing (the hook benchmark) means nothing.
                        .append(" | ").append(base == null || base.ns < 50 ? "—" : fmt("%.2f", s.ns / base.ns))
                        .append(" | ").append(withError(s.cpuNs, s.cpuNsError))
                        .append(" | ").append(isBase || base == null ? "—"
                                : withError(s.cpuNs - base.cpuNs, Math.hypot(s.cpuNsError, base.cpuNsError)))
                        .append(" | ").append(fmt("%.0f", s.bytes))
                        .append(" | ").append(isBase || base == null ? "—" : fmt("%+.0f", s.bytes - base.bytes))
                        .append(" |\n");
            }
        }
        return sb.toString();
    }

    /** The pools aim (issue [5/10]): at most this much added per HikariCP borrow+return. */
    private static final double POOLS_AIM_NS = 150;

    /** The issues' aims: leaks on {@code openClose} at rate 0.01, pools on {@code borrowReturn}. */
    static String verdict(Map<String, Map<String, Score>> scores, List<Configuration> configurations) {
        return leaksVerdict(scores, configurations) + poolsVerdict(scores, configurations);
    }

    /** Pools are on in every agent configuration; the one at leaks.sample.rate=0.01 is the everyday one. */
    static String poolsVerdict(Map<String, Map<String, Score>> scores, List<Configuration> configurations) {
        Map<String, Score> borrow = scores.get("HikariBorrowBenchmark.borrowReturn");
        if (borrow == null) {
            return "";
        }
        Score base = borrow.get(configurations.get(0).name);
        Score agent = borrow.get(configurations.get(2).name);
        if (base == null || agent == null) {
            return "";
        }
        double added = agent.ns - base.ns;
        return fmt("%nAim (issue [5/10]): at most %.0f ns added per HikariCP getConnection()+close(): measured %.0f ns"
                        + " of wall time (%s) and %.0f ns of CPU time, %+.0f B allocated.%n",
                POOLS_AIM_NS, added, added <= POOLS_AIM_NS ? "met" : "missed", agent.cpuNs - base.cpuNs,
                agent.bytes - base.bytes);
    }

    static String leaksVerdict(Map<String, Map<String, Score>> scores, List<Configuration> configurations) {
        Map<String, Score> openClose = scores.get("FileOpenCloseBenchmark.openClose");
        if (openClose == null) {
            return "";
        }
        Score base = openClose.get(configurations.get(0).name);
        Score rate001 = openClose.get(configurations.get(2).name);
        Score rate1 = openClose.get(configurations.get(1).name);
        if (base == null || rate001 == null || rate1 == null) {
            return "";
        }
        double added = rate001.ns - base.ns;
        double cpuAdded = rate001.cpuNs - base.cpuNs;
        return fmt("%nAim (issue [1/9]): at most %.0f ns added per open+close at leaks.sample.rate=0.01: "
                        + "measured %.0f ns of wall time (%s) and %.0f ns of CPU time (%s). "
                        + "At rate 1 an open+close costs %.0f ns more wall time (%.2fx) and %.0f ns more CPU time.%n",
                AIM_NS, added, added <= AIM_NS ? "met" : "missed", cpuAdded, cpuAdded <= AIM_NS ? "met" : "missed",
                rate1.ns - base.ns, rate1.ns / base.ns, rate1.cpuNs - base.cpuNs);
    }

    /** The blocking detector's aim (issue [6/10]): its check on a thread that is no event loop costs at most 5 ns. */
    static String blockingVerdict(Map<String, Map<String, Score>> scores, List<Configuration> configurations) {
        StringBuilder out = new StringBuilder();
        for (String bench : List.of("BlockingCheckBenchmark.latchAwaitOpen", "BlockingCheckBenchmark.futureGetDone",
                "BlockingCheckBenchmark.hooksAlone")) {
            Map<String, Score> byConfig = scores.get(bench);
            if (byConfig == null || byConfig.get(configurations.get(0).name) == null) {
                continue;
            }
            double base = byConfig.get(configurations.get(0).name).ns;
            double worst = Double.NEGATIVE_INFINITY;
            for (Configuration c : configurations.subList(1, configurations.size())) {
                Score s = byConfig.get(c.name);
                if (s != null) {
                    worst = Math.max(worst, s.ns - base);
                }
            }
            out.append(fmt("%nAim (issue [6/10]): the blocking check on a non-loop thread adds at most 5 ns: %s adds %.1f ns"
                    + " at most over the agent configurations (%s).%n", bench, worst, worst <= 5 ? "met" : "missed"));
        }
        return out.toString();
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String withError(double v, double err) {
        return Double.isNaN(err) ? fmt("%.0f", v) : fmt("%.0f ± %.0f", v, err);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** The directory holding this driver's jar ({@code benchmarks/target}), or the working directory. */
    private static Path benchmarksTargetDir() {
        try {
            Path self = Paths.get(RunAll.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // benchmarks/target/benchmarks.jar, or benchmarks/target/classes when run from an IDE
            return self.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return Paths.get("").toAbsolutePath();
        }
    }

    private static Path agentJar(Path benchDir) {
        String configured = System.getProperty("jdiag.agent.jar");
        Path jar;
        if (configured != null) {
            jar = Paths.get(configured);
        } else {
            // <repo>/benchmarks/target -> <repo>/agent/target/jdiag-agent.jar
            Path repo = benchDir.toAbsolutePath().getParent().getParent();
            jar = repo.resolve("agent/target/jdiag-agent.jar");
        }
        jar = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new UncheckedIOException(new IOException("agent jar not found: " + jar
                    + " (build it with benchmarks/run.sh, or pass -Djdiag.agent.jar=<path>)"));
        }
        // The forks start over minutes: measure one copy, not whatever a rebuild leaves at the path.
        Path copy = benchDir.resolve("agent-under-test.jar");
        try {
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            try (JarFile j = new JarFile(copy.toFile())) {
                Manifest m = j.getManifest();
                if (m == null || m.getMainAttributes().getValue("Premain-Class") == null) {
                    throw new IOException("no Premain-Class in " + jar + ": not an agent jar, or a build of it is in progress");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return copy;
    }
}
