package io.jdiag.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jdiag list}: the local JVMs (as {@code jps} finds them, through the attach API) and, for
 * each, whether jdiag runs in it and where its endpoint is. That is read from the JVM's system
 * properties, which takes a short attach per JVM; those run in parallel and a JVM that can't be
 * attached to (another user, attach disabled, hung) shows {@code unknown} instead of failing the
 * listing.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List local JVMs: pid, main class, whether jdiag is loaded (yes/no/unknown) and its endpoint.",
                "'unknown' means the JVM could not be asked (another user, attach disabled, not responding)."})
final class ListCommand implements Callable<Integer> {
    /** Per-JVM attach timeout for the listing (the attach API's default is 10 s). */
    static final long ATTACH_TIMEOUT_MILLIS = 3_000;
    /** Bound for the whole listing, after which JVMs not yet answered show {@code unknown}. */
    static final long LIST_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_PARALLEL = 8;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Jdk.requireAttachApi();
        // Read once, lazily, by the attach implementation; must be set before the first attach.
        if (System.getProperty("sun.tools.attach.attachTimeout") == null) {
            System.setProperty("sun.tools.attach.attachTimeout", Long.toString(ATTACH_TIMEOUT_MILLIS));
        }
        List<LocalJvms.Entry> jvms = LocalJvms.list();

        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(MAX_PARALLEL, jvms.size())), r -> {
            Thread t = new Thread(r, "jdiag-list");
            t.setDaemon(true); // a JVM that never answers must not keep the CLI alive
            return t;
        });
        List<Future<String[]>> probes = new ArrayList<>();
        for (LocalJvms.Entry jvm : jvms) {
            probes.add(pool.submit(probe(jvm.pid)));
        }
        pool.shutdown();

        Table table = new Table().row("PID", "MAIN CLASS", "JDIAG", "ENDPOINT");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIST_TIMEOUT_MILLIS);
        for (int i = 0; i < jvms.size(); i++) {
            String[] state;
            try {
                state = probes.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                state = new String[] {"unknown", "(not responding)"};
            } catch (ExecutionException e) {
                state = new String[] {"unknown", "(" + e.getCause() + ")"};
            }
            table.row(Long.toString(jvms.get(i).pid), jvms.get(i).mainClass, state[0], state[1]);
        }
        table.print(spec.commandLine().getOut());
        return 0;
    }

    /** {JDIAG, ENDPOINT} of one JVM; never throws. */
    private static Callable<String[]> probe(long pid) {
        return () -> {
            try (TargetJvm vm = TargetJvm.attach(pid)) {
                AgentState state = vm.agentState();
                return state.attached()
                        ? new String[] {"yes", state.endpointText()}
                        : new String[] {"no", "-"};
            } catch (CliException e) {
                return new String[] {"unknown", "(" + e.brief() + ")"};
            }
        };
    }
}
