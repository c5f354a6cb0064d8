package io.jdiag.testapp.core;

import static io.jdiag.testapp.harness.AgentEndpoint.sample;
import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.testapp.harness.AgentEndpoint;
import io.jdiag.testapp.harness.Paths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Containers that do not delegate to the boot loader (OSGi, JBoss Modules): a library class defined
 * by such a loader still reaches the agent's hooks in {@code io.jdiag.bootstrap}. One JVM with the
 * shipped agent runs {@link NonDelegatingMain}: Gson is loaded from its jar by a loader that refuses
 * parent delegation for everything but {@code java.*}, and its {@code toJson} is counted in
 * {@code jdiag_serialization_seconds_count}. The same loader under a name the agent's rule does not
 * weave is the control: its calls are not counted, which is what every such container looked like
 * before.
 */
class BootDelegationIT {
    private static final int CONTROL_CALLS = 5;
    private static final int WOVEN_CALLS = 3;
    private static final String GSON_SERIALIZE =
            "jdiag_serialization_seconds_count{library=\"gson\",operation=\"serialize\"}";

    private static Map<String, String> values;
    private static String metrics;
    private static String stderr;

    @BeforeAll
    static void runWithTheAgent() throws Exception {
        Path gsonJar = Path.of(com.google.gson.Gson.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path testClasses = Path.of(NonDelegatingMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = List.of(Paths.javaHome().resolve("bin").resolve("java").toString(),
                "-javaagent:" + Paths.agentJar() + "=http.port=0",
                // an OSGi launcher's own list: the agent appends to it
                "-Dorg.osgi.framework.bootdelegation=sun.*,com.sun.*",
                "-cp", testClasses.toString(),
                NonDelegatingMain.class.getName(), gsonJar.toString(),
                Integer.toString(CONTROL_CALLS), Integer.toString(WOVEN_CALLS));
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exited").isTrue();
        stderr = err.get(10, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(command + "\n" + out + "\n" + stderr).isZero();

        values = new HashMap<>();
        for (String line : out.substring(0, out.indexOf("METRICS-BEGIN")).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        metrics = out.substring(out.indexOf("METRICS-BEGIN") + "METRICS-BEGIN".length(), out.indexOf("METRICS-END"));
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
        assertThat(values.get("woven.hooks")).isEqualTo("boot");
        assertThat(values.get("control.hooks")).as("without boot delegation the hooks are invisible").isEqualTo("none");
        // everything else the loader does is its own business, as before
        assertThat(values.get("woven.unrelated")).isEqualTo("refused");
    }

    @Test
    void theDetectorSeesTheLibraryCallsMadeInsideSuchALoaderAndOnlyThose() throws Exception {
        assertThat(values.get("control.calls")).isEqualTo(Integer.toString(CONTROL_CALLS));
        assertThat(values.get("woven.calls")).isEqualTo(Integer.toString(WOVEN_CALLS));
        AgentEndpoint.assertPrometheusText(metrics.strip() + "\n");
        // exactly the woven loader's calls: the control's 5 reached no hook
        assertThat(sample(metrics, GSON_SERIALIZE)).as(metrics).isEqualTo(WOVEN_CALLS);
        assertThat(stderr).doesNotContain("could not instrument").doesNotContain("Exception");
    }

    @Test
    void theContainersDelegationPropertiesNameTheHooksPackage() {
        assertThat(values.get("osgi")).isEqualTo("sun.*,com.sun.*,io.jdiag.bootstrap.*");
        assertThat(values.get("jboss")).isEqualTo("io.jdiag.bootstrap");
    }
}
