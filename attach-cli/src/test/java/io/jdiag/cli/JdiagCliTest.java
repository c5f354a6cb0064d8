package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command-line handling in process: exit codes, usage, check-config against a stand-in agent jar. */
class JdiagCliTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(io.jdiag.agent.AgentMain.SEEN_PROPERTY);
    }

    @Test
    void versionAndHelp() {
        JdiagCli.Result version = JdiagCli.runCaptured("--version");
        assertThat(version.exitCode).isZero();
        assertThat(version.out).startsWith("jdiag ").contains("java " + System.getProperty("java.version"));

        JdiagCli.Result help = JdiagCli.runCaptured("--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.out).contains("list", "attach", "status", "report", "detach", "check-config", "Exit codes:");

        JdiagCli.Result verbHelp = JdiagCli.runCaptured("attach", "--help");
        assertThat(verbHelp.exitCode).isZero();
        assertThat(verbHelp.out).contains("Usage: jdiag attach", "<pid>", "key=value", "--agent-jar");
    }

    @Test
    void noVerbIsBadUsage() {
        JdiagCli.Result r = JdiagCli.runCaptured();
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).contains("Usage: jdiag");
        assertThat(r.out).isEmpty();
    }

    @Test
    void unknownVerbOrOptionIsBadUsage() {
        JdiagCli.Result r = JdiagCli.runCaptured("atach", "1");
        assertThat(r.exitCode).isEqualTo(2);
        assertThat(r.err).startsWith("jdiag: Unmatched argument").contains("Did you mean", "Usage: jdiag");

        JdiagCli.Result option = JdiagCli.runCaptured("status", "--frobnicate", "1");
        assertThat(option.exitCode).isEqualTo(2);
        assertThat(option.err).contains("Unknown option: '--frobnicate'", "Usage: jdiag status");
    }

    @Test
    void missingOrBadPidIsBadUsage() {
        for (String[] args : new String[][] {{"status"}, {"report", "abc"}, {"detach", "0"}, {"attach", "12x"}}) {
            JdiagCli.Result r = JdiagCli.runCaptured(args);
            assertThat(r.exitCode).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err).as(String.join(" ", args)).startsWith("jdiag: ").contains("<pid>", "Usage: jdiag " + args[0]);
        }
    }

    @Test
    void checkConfigPassesTheJoinedSettingsToTheAgentJar() throws IOException {
        Path jar = fakeAgentJar();
        JdiagCli.Result r = JdiagCli.runCaptured("check-config", "--agent-jar", jar.toString(),
                "http.port=0", "blocking.threads=a,b");
        assertThat(r.exitCode).isZero();
        assertThat(r.out).isEqualTo("configuration OK\n");
        assertThat(System.getProperty(io.jdiag.agent.AgentMain.SEEN_PROPERTY)).isEqualTo("http.port=0,blocking.threads='a,b'");
    }

    @Test
    void checkConfigPrintsEachProblemAndExits1() throws IOException {
        JdiagCli.Result r = JdiagCli.runCaptured("check-config", "--agent-jar", fakeAgentJar().toString(),
                "bad.one=1", "http.port=0", "bad.two=2");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).isEqualTo("jdiag: unknown config key 'bad.one' (agent argument); ignored\n"
                + "jdiag: unknown config key 'bad.two' (agent argument); ignored\n");
        assertThat(r.out).isEmpty();
    }

    @Test
    void checkConfigWithAJarThatIsNoAgent() throws IOException {
        Path notAnAgent = dir.resolve("other.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(notAnAgent))) {
            out.putNextEntry(new JarEntry("readme.txt"));
            out.write(1);
        }
        JdiagCli.Result r = JdiagCli.runCaptured("check-config", "--agent-jar", notAnAgent.toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).startsWith("jdiag: " + notAnAgent + " is not a jdiag agent jar").doesNotContain("\tat ");
        assertThat(r.err.trim()).doesNotContain("\n");
    }

    @Test
    void missingAgentJarIsOneLine() {
        JdiagCli.Result r = JdiagCli.runCaptured("attach", "--agent-jar", dir.resolve("none.jar").toString(), "1");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).isEqualTo("jdiag: agent jar not found: " + dir.resolve("none.jar")
                + " (from --agent-jar " + dir.resolve("none.jar") + "); build it with `make build` or point to an existing jdiag-agent.jar\n");
    }

    @Test
    void onlyThePlainAttachFormSkipsPicocli() {
        assertThat(AttachCommand.plainAttach(new String[] {"attach", "4242"})).isEmpty();
        assertThat(AttachCommand.plainAttach(new String[] {"attach", "4242", "http.port=0", "blocking.threads=a,b"}))
                .containsExactly("http.port=0", "blocking.threads=a,b");
        for (String[] args : new String[][] {{"attach"}, {"status", "4242"}, {"attach", "--help"}, {"attach", "4242", "-h"},
                {"attach", "4242", "--agent-jar", "x.jar"}, {"attach", "4242", "@args.txt"}, {"attach", "0"}, {"attach", "042"},
                {"attach", "12x"}, {"attach", " 12"}, {"attach", "4242", ""}, {"attach", "99999999999999999999"},
                {"attach", "--", "4242"}}) {
            assertThat(AttachCommand.plainAttach(args)).as(String.join(" ", args)).isNull();
        }
    }

    /** The plain form (no picocli) and the same command through picocli ("--" makes it not plain) answer alike. */
    @Test
    void plainAttachAnswersAsPicocliDoes() {
        for (String pid : new String[] {"4000000", Long.toString(ProcessHandle.current().pid())}) {
            JdiagCli.Result plain = JdiagCli.runCaptured("attach", pid, "http.port=0");
            JdiagCli.Result parsed = JdiagCli.runCaptured("attach", "--", pid, "http.port=0");
            assertThat(plain.exitCode).as(plain.err).isEqualTo(parsed.exitCode).isEqualTo(1);
            assertThat(plain.err).isEqualTo(parsed.err).startsWith("jdiag: ");
            assertThat(plain.out).isEqualTo(parsed.out).isEmpty();
        }
    }

    @Test
    void nonExistentPidIsOneLine() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        JdiagCli.Result r = JdiagCli.runCaptured("status", Long.toString(pid));
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).isEqualTo("jdiag: no process with pid " + pid + "; `jdiag list` shows the local JVMs\n");
    }

    @Test
    void aProcessThatIsNotAJvmIsRefusedWithoutSignallingIt() throws Exception {
        Path sleep = Path.of("/bin/sleep");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(sleep) && Files.isDirectory(Path.of("/proc/self")),
                "needs Linux /proc and /bin/sleep");
        Process p = new ProcessBuilder(sleep.toString(), "30").start();
        try {
            JdiagCli.Result r = JdiagCli.runCaptured("status", Long.toString(p.pid()));
            assertThat(r.exitCode).isEqualTo(1);
            assertThat(r.err).startsWith("jdiag: process " + p.pid()).contains("is not a Java VM");
            assertThat(p.isAlive()).as("not sent SIGQUIT").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** A jar holding the stand-in {@code io.jdiag.agent.AgentMain} (from the test classes). */
    private Path fakeAgentJar() throws IOException {
        Path jar = dir.resolve("fake-agent.jar");
        String entry = "io/jdiag/agent/AgentMain.class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             InputStream in = getClass().getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            copy(in, out);
        }
        return jar;
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        in.transferTo(out);
    }
}
