package io.jdiag.testapp.core;

import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.testapp.cli.Jdiag;
import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Containers that do not delegate to the boot loader (OSGi, JBoss Modules): a library class defined
 * by such a loader still reaches the agent's hooks in {@code io.jdiag.bootstrap}. A JVM with the
 * shipped agent runs {@link NonDelegatingMain}: Gson is loaded from its jar by a loader that refuses
 * parent delegation for everything but {@code java.*}, and its {@code toJson} is counted in
 * {@code jdiag_serialization_seconds_count}. The same loader under a name the agent's rule does not
 * weave is the control: its calls are not counted, which is what every such container looked like
 * before. Once with {@code -javaagent}, once with a hot attach after the loaders and Gson were loaded
 * (they are retransformed).
 */
class BootDelegationIT {
    private static final int CONTROL_CALLS = 5;
    private static final int WOVEN_CALLS = 3;
    private static final String GSON_SERIALIZE =
            "jdiag_serialization_seconds_count{library=\"gson\",operation=\"serialize\"}";

    /** What one run printed: its key=value lines, the agent's metrics, its stderr. */
    private record Run(Map<String, String> values, String metrics, String stderr) {}

    private static Run premain;
    private static Run attach;

    @BeforeAll
    static void runWithTheAgent() throws Exception {
        premain = run(false);
        attach = run(true);
    }

    private static Run run(boolean hotAttach) throws Exception {
        Path gsonJar = Path.of(com.google.gson.Gson.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(NonDelegatingMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(Paths.javaHome().resolve("bin").resolve("java").toString()));
        if (!hotAttach) {
            // a main that uses Gson at once: premain holds it until the detectors are installed
            command.add("-javaagent:" + Paths.agentJar() + "=http.port=0,premain.wait=true");
        }
        // an OSGi launcher's own list: the agent appends to it
        command.addAll(List.of("-Dorg.osgi.framework.bootdelegation=sun.*,com.sun.*",
                "-cp", testClasses.toString(),
                NonDelegatingMain.class.getName(), gsonJar.toString(),
                Integer.toString(CONTROL_CALLS), Integer.toString(WOVEN_CALLS)));
        if (hotAttach) {
            command.add("await-attach");
        }
        Process p = new ProcessBuilder(command).start();
        try {
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder out = new StringBuilder();
            if (hotAttach) {
                String line;
                while ((line = lines.readLine()) != null && !line.equals("READY")) {
                    out.append(line).append('\n');
                }
                assertThat(line).as("READY from " + command + "\n" + out).isEqualTo("READY");
                Jdiag.Result r = Jdiag.run("attach", Long.toString(p.pid()), "http.port=0");
                assertThat(r.exitCode()).as(r.toString()).isZero();
                try (OutputStream in = p.getOutputStream()) {
                    in.write("go\n".getBytes(StandardCharsets.UTF_8));
                }
            }
            for (String line; (line = lines.readLine()) != null; ) {
                out.append(line).append('\n');
            }
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exited").isTrue();
            String stderr = err.get(10, TimeUnit.SECONDS);
            assertThat(p.exitValue()).as(command + "\n" + out + "\n" + stderr).isZero();

            String text = out.toString();
            Map<String, String> values = new HashMap<>();
            for (String line : text.substring(0, text.indexOf("METRICS-BEGIN")).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1).trim());
                }
            }
            String metrics = text.substring(text.indexOf("METRICS-BEGIN") + "METRICS-BEGIN".length(),
                    text.indexOf("METRICS-END"));
            return new Run(values, metrics.strip() + "\n", stderr);
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aLoaderThatRefusesParentDelegationGetsTheHooksFromTheBootLoader() {
        for (Run run : List.of(premain, attach)) {
            assertThat(run.values().get("woven.hooks")).isEqualTo("boot");
            assertThat(run.values().get("control.hooks")).as("without boot delegation the hooks are invisible")
                    .isEqualTo("none");
            // everything else the loader does is its own business, as before
            assertThat(run.values().get("woven.unrelated")).isEqualTo("refused");
        }
    }

    @Test
    void theDetectorSeesTheLibraryCallsMadeInsideSuchALoaderAndOnlyThose() throws Exception {
        for (Run run : List.of(premain, attach)) {
            assertThat(run.values().get("control.calls")).isEqualTo(Integer.toString(CONTROL_CALLS));
            assertThat(run.values().get("woven.calls")).isEqualTo(Integer.toString(WOVEN_CALLS));
            AgentEndpoint.assertPrometheusText(run.metrics());
            // exactly the woven loader's calls: the control's 5 reached no hook
            assertThat(sample(run.metrics(), GSON_SERIALIZE)).as(run.metrics()).isEqualTo(WOVEN_CALLS);
            assertThat(run.stderr()).doesNotContain("could not instrument").doesNotContain("Exception");
        }
    }

    @Test
    void theContainersDelegationPropertiesNameTheHooksPackage() {
        for (Run run : List.of(premain, attach)) {
            assertThat(run.values().get("osgi")).isEqualTo("sun.*,com.sun.*,io.jdiag.bootstrap.*");
            assertThat(run.values().get("jboss")).isEqualTo("io.jdiag.bootstrap");
        }
    }
}
