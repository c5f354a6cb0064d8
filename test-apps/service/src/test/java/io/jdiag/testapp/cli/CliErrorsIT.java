package io.jdiag.testapp.cli;

import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every failure of {@code bin/jdiag} is one {@code jdiag:} line that says how to fix it, exit 1; bad
 * usage is the usage text, exit 2; and a refused attach leaves the target running without the agent.
 * Each case runs against real processes: one plain service shared by the class, plus a JVM started
 * with {@code -XX:+DisableAttachMechanism} (and, on JDK 21+, one with
 * {@code -XX:-EnableDynamicAgentLoading}) where the case needs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliErrorsIT {
    private ServiceProcess service;
    private String pid;

    @BeforeAll
    void startService() throws IOException {
        service = ServiceProcess.start();
        pid = Long.toString(service.pid());
    }

    @AfterAll
    void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void noSuchProcess() {
        long unused = Jdiag.unusedPid();
        for (String verb : new String[] {"attach", "status", "report", "detach"}) {
            Jdiag.Result r = Jdiag.run(verb, Long.toString(unused));
            assertThat(r.exitCode()).as(verb + ": " + r).isEqualTo(1);
            assertThat(r.stderr()).as(verb).isEqualTo("jdiag: no process with pid " + unused + "; `jdiag list` shows the local JVMs\n");
            assertThat(r.stdout()).isEmpty();
        }
    }

    @Test
    void aProcessThatIsNotAJvm() throws Exception {
        Path sleep = Path.of("/bin/sleep");
        assumeTrue(Files.isExecutable(sleep), "needs /bin/sleep");
        Process p = new ProcessBuilder(sleep.toString(), "60").start();
        try {
            Jdiag.Result r = Jdiag.run("attach", Long.toString(p.pid()));
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderrLines()).hasSize(1);
            assertThat(r.stderr()).startsWith("jdiag: process " + p.pid()).contains("is not a Java VM");
            assertThat(p.isAlive()).as("the process was left alone (no SIGQUIT)").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void statusReportAndDetachOnAJvmWithoutTheAgent() {
        for (String verb : new String[] {"status", "report", "detach"}) {
            Jdiag.Result r = Jdiag.run(verb, pid);
            assertThat(r.exitCode()).as(verb + ": " + r).isEqualTo(1);
            assertThat(r.stderrLines()).as(verb).hasSize(1);
            assertThat(r.stderr()).as(verb).startsWith("jdiag: jdiag is not attached to " + pid + ";")
                    .containsAnyOf("attach it first", "nothing to detach")
                    .doesNotContain("Exception");
        }
    }

    @Test
    void badSettingFailsTheAttachWithTheAgentsLineAndLeavesTheTargetUntouched() {
        Jdiag.Result r = Jdiag.run("attach", pid, "http.port=0", "htp.port=9999");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderrLines()).as(r.toString()).first().asString()
                .startsWith("jdiag: unknown config key 'htp.port'").contains("did you mean http.port?");
        assertThat(r.stderrLines()).last().asString().startsWith("jdiag: nothing was attached to " + pid);
        assertThat(r.stderr()).doesNotContain("Exception", "\tat ");
        assertThat(r.stdout()).isEmpty();

        Jdiag.Result badValue = Jdiag.run("attach", pid, "http.port=0", "leaks.sample.rate=7");
        assertThat(badValue.exitCode()).isEqualTo(1);
        assertThat(badValue.stderr()).contains("leaks.sample.rate", "7");

        assertThat(service.get("/health")).isEqualTo(new ServiceProcess.Response(200, "ok"));
        Jdiag.Result status = Jdiag.run("status", pid);
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.stderr()).startsWith("jdiag: jdiag is not attached to " + pid);
    }

    @Test
    void takenPortFailsTheAttachAndAFreeOneThenWorks() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            String port = Integer.toString(taken.getLocalPort());

            Jdiag.Result check = Jdiag.run("check-config", "http.port=" + port);
            assertThat(check.exitCode()).as(check.toString()).isEqualTo(1);
            assertThat(check.stderr()).startsWith("jdiag: http.port=" + port);

            Jdiag.Result r = Jdiag.run("attach", pid, "http.port=" + port);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderr()).startsWith("jdiag: http.port=" + port).contains("jdiag: nothing was attached to " + pid);
        }
        assertThat(service.get("/health").status()).isEqualTo(200);

        Jdiag.Result attach = Jdiag.run("attach", pid, "http.port=0");
        assertThat(attach.exitCode()).as(attach.toString()).isZero();
        assertThat(attach.stdout()).startsWith("attached to " + pid + ", endpoint http://127.0.0.1:");
        Jdiag.Result detach = Jdiag.run("detach", pid);
        assertThat(detach.exitCode()).as(detach.toString()).isZero();
    }

    @Test
    void badUsageExits2WithUsage() {
        List<String[]> cases = List.of(
                new String[0],
                new String[] {"frobnicate"},
                new String[] {"attach"},
                new String[] {"status", "abc"},
                new String[] {"report", "--nope", pid},
                new String[] {"detach", "-5"});
        for (String[] args : cases) {
            Jdiag.Result r = Jdiag.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r).isEqualTo(2);
            assertThat(r.stderr()).as(String.join(" ", args)).contains("Usage: jdiag");
            assertThat(r.stdout()).isEmpty();
        }
    }

    @Test
    void helpAndVersion() {
        Jdiag.Result help = Jdiag.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("list", "attach", "status", "report", "detach", "check-config");
        Jdiag.Result version = Jdiag.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.stdout()).startsWith("jdiag 0.1.0\njava ");
        assertThat(version.stdout()).contains(Paths.javaHome().toString());
    }

    @Test
    void checkConfigGoodAndBad() {
        Jdiag.Result good = Jdiag.run("check-config", "http.port=0", "pools.leak.threshold=20s", "blocking.threads=worker-(1,2)");
        assertThat(good.exitCode()).as(good.toString()).isZero();
        assertThat(good.stdout()).isEqualTo("configuration OK\n");
        assertThat(good.stderr()).isEmpty();

        Jdiag.Result bad = Jdiag.run("check-config", "http.port=0", "pools.leak.treshold=20s", "buffering.threshold=lots");
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.stderrLines()).hasSize(2);
        assertThat(bad.stderrLines().get(0)).startsWith("jdiag: unknown config key 'pools.leak.treshold'");
        assertThat(bad.stderrLines().get(1)).startsWith("jdiag: ").contains("buffering.threshold", "lots");
    }

    @Test
    void agentJarNotFound() {
        Jdiag.Result r = Jdiag.run(Map.of("JDIAG_AGENT_JAR", "/nonexistent/jdiag-agent.jar"), List.of(), "attach", pid);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("jdiag: agent jar not found: /nonexistent/jdiag-agent.jar (from JDIAG_AGENT_JAR="
                + "/nonexistent/jdiag-agent.jar); build it with `make build` or point to an existing jdiag-agent.jar\n");
        assertThat(Jdiag.run("status", pid).stderr()).as("the target was not touched").startsWith("jdiag: jdiag is not attached");
    }

    @Test
    void targetWithAttachDisabled() throws IOException {
        try (ServiceProcess noAttach = ServiceProcess.start("-XX:+DisableAttachMechanism")) {
            String noAttachPid = Long.toString(noAttach.pid());
            Jdiag.Result r = Jdiag.run("attach", noAttachPid, "http.port=0");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderr()).isEqualTo("jdiag: JVM " + noAttachPid + " refuses attach (started with"
                    + " -XX:+DisableAttachMechanism); restart it without that flag, or with -javaagent:<agent jar>\n");

            Jdiag.Result status = Jdiag.run("status", noAttachPid);
            assertThat(status.exitCode()).isEqualTo(1);
            assertThat(status.stderr()).contains("-XX:+DisableAttachMechanism");
            assertThat(noAttach.get("/health").status()).isEqualTo(200);
        }
    }

    @Test
    void jdk21TargetWithDynamicAgentLoadingDisabled() throws IOException {
        assumeTrue(javaFeatureVersion() >= 21, "-XX:-EnableDynamicAgentLoading exists from JDK 21");
        try (ServiceProcess noAgents = ServiceProcess.start("-XX:-EnableDynamicAgentLoading")) {
            String noAgentsPid = Long.toString(noAgents.pid());
            Jdiag.Result r = Jdiag.run("attach", noAgentsPid, "http.port=0");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderrLines()).hasSize(1);
            assertThat(r.stderr()).startsWith("jdiag: JVM " + noAgentsPid + " does not allow loading agents at run time")
                    .contains("-XX:+EnableDynamicAgentLoading");
            assertThat(noAgents.get("/health").status()).isEqualTo(200);
        }
    }

    /** As another (unprivileged) user, attaching to our JVM is refused, and the line says whose JVM it is. */
    @Test
    void anotherUsersJvm() throws IOException {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(setpriv),
                "needs root and setpriv to run the CLI as user nobody");
        List<String> asNobody = List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups");
        Jdiag.Result probe = Jdiag.run(Map.of("HOME", "/tmp"), asNobody, "--version");
        assumeTrue(probe.exitCode() == 0, "user nobody cannot run bin/jdiag here: " + probe);

        Jdiag.Result r = Jdiag.run(Map.of("HOME", "/tmp"), asNobody, "attach", pid);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderrLines()).hasSize(1);
        assertThat(r.stderr()).isEqualTo("jdiag: cannot attach to JVM " + pid + ": it runs as user root and jdiag as nobody;"
                + " run jdiag as root (e.g. sudo -u root bin/jdiag ...)\n");
    }

    private static int javaFeatureVersion() throws IOException {
        Path release = Paths.javaHome().resolve("release");
        Matcher m = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
        assumeTrue(m.find(), "no JAVA_VERSION in " + release);
        return Integer.parseInt(m.group(1));
    }
}
