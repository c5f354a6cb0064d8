package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exception messages below are the ones HotSpot 17 and 25 produce (see AttachFailures). */
class AttachFailuresTest {
    private static final long SELF = ProcessHandle.current().pid();
    private static final Path JAR = Paths.get("/opt/jdiag/jdiag-agent.jar");

    @TempDir
    Path dir;

    @Test
    void disabledAttachMechanism() {
        CliException e = AttachFailures.attach(SELF,
                new AttachNotSupportedException("The VM does not support the attach mechanism"));
        assertThat(e).hasMessage("jdiag: JVM " + SELF + " refuses attach (started with -XX:+DisableAttachMechanism);"
                + " restart it without that flag, or with -javaagent:<agent jar>");
        assertThat(e.brief()).isEqualTo("attach disabled");
    }

    @Test
    void permissionDeniedNamesTheUsersWhenTheyDiffer() {
        // Our own process: same user, so the generic permission line.
        CliException e = AttachFailures.attach(SELF, new IOException("Operation not permitted"));
        assertThat(e.getMessage()).startsWith("jdiag: cannot attach to JVM " + SELF + ": permission denied")
                .endsWith("run jdiag as the user that runs the JVM");
    }

    @Test
    void attachSocketOfAnotherUser() {
        CliException e = AttachFailures.attach(SELF, new IOException("well-known file /tmp/.java_pid1 is not secure:"
                + " file should be owned by the current user (which is 65534) but is owned by 0"));
        assertThat(e.getMessage()).startsWith("jdiag: cannot attach to JVM " + SELF + ": permission denied");
    }

    @Test
    void notResponding() {
        CliException e = AttachFailures.attach(SELF, new AttachNotSupportedException("Unable to open socket file /proc/1/root/tmp/.java_pid1:"
                + " target process 1 doesn't respond within 10500ms or HotSpot VM not loaded"));
        assertThat(e.getMessage()).startsWith("jdiag: JVM " + SELF + " did not answer the attach request");
        assertThat(e.brief()).isEqualTo("not responding");
    }

    @Test
    void dynamicAgentLoadingDisabled() {
        CliException e = AttachFailures.load(SELF, JAR, new AgentLoadException(
                "Failed to load agent library: Dynamic agent loading is not enabled. Use -XX:+EnableDynamicAgentLoading to launch target VM."));
        assertThat(e).hasMessage("jdiag: JVM " + SELF + " does not allow loading agents at run time (started with"
                + " -XX:-EnableDynamicAgentLoading); restart it with -XX:+EnableDynamicAgentLoading, or with -javaagent:" + JAR);
    }

    @Test
    void otherLoadFailures() {
        assertThat(AttachFailures.load(SELF, JAR, new AgentLoadException("Agent JAR not found or no Agent-Class attribute")))
                .hasMessageContaining("could not load the agent jar " + JAR)
                .hasMessageContaining("can read it");
        assertThat(AttachFailures.load(SELF, JAR, new AgentInitializationException("Agent JAR loaded but agent failed to initialize")))
                .hasMessageStartingWith("jdiag: the agent did not start in JVM " + SELF);
    }

    @Test
    void everyLineIsOneLine() {
        assertThat(AttachFailures.attach(SELF, new IOException("weird")).getMessage()).doesNotContain("\n").startsWith("jdiag: ");
        assertThat(AttachFailures.lost(SELF, "reading", new IOException("reset")).getMessage()).doesNotContain("\n");
    }

    @Test
    void noSuchProcess() {
        long dead = deadPid();
        assertThatThrownBy(() -> AttachFailures.checkProcess(dead))
                .hasMessage("jdiag: no process with pid " + dead + "; `jdiag list` shows the local JVMs");
    }

    @Test
    void aProcessWithoutAJvmLibraryIsNotAJvm() throws IOException {
        Path maps = Files.writeString(dir.resolve("maps"),
                "55d0c-55d0d r--p 00000000 fe:00 1 /usr/bin/sleep\n7f00-7f01 r-xp 0 fe:00 2 /usr/lib/libc.so.6\n");
        assertThat(AttachFailures.mapsJvmLibrary(maps)).isFalse();
        Files.writeString(maps, "7f00-7f01 r--p 0 fe:00 3 /usr/lib/jvm/jdk-17/lib/server/libjvm.so\n");
        assertThat(AttachFailures.mapsJvmLibrary(maps)).isTrue();
        assertThat(AttachFailures.mapsJvmLibrary(dir.resolve("absent"))).isNull();
    }

    @Test
    void thisJvmPassesTheCheck() {
        AttachFailures.checkProcess(SELF);
    }

    private static long deadPid() {
        long pid = 4_000_000; // above Linux's pid_max default
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        return pid;
    }
}
