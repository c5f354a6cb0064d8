package io.jdiag.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns what the attach API throws into one {@code jdiag:} line that names the cause and the fix.
 * The attach API reports most causes only through exception messages; these are the ones HotSpot
 * 11 to 25 produce (checked on JDK 17 and 25):
 *
 * <ul>
 *   <li>{@code -XX:+DisableAttachMechanism}: {@code AttachNotSupportedException: The VM does not
 *       support the attach mechanism} (the JVM says so in its perf data);
 *   <li>another user: {@code IOException: Operation not permitted} (we may not signal it), or,
 *       once the JVM has opened its attach socket, {@code IOException: well-known file
 *       /tmp/.java_pid<pid> is not secure: file should be owned by the current user (which is 65534)
 *       but is owned by 0};
 *   <li>JDK 21+ with {@code -XX:-EnableDynamicAgentLoading}: attach works, {@code loadAgent}
 *       throws {@code AgentLoadException: ... Dynamic agent loading is not enabled ...};
 *   <li>a JVM that never answers (hung, attach disabled without perf data, another container's
 *       /tmp): {@code AttachNotSupportedException: Unable to open socket file ... doesn't respond
 *       within ...ms ...}.
 * </ul>
 *
 * <p>A process that is not a JVM is caught before attaching: the attach API would send it
 * SIGQUIT, which kills most programs.
 */
final class AttachFailures {
    private AttachFailures() {}

    /**
     * Fails unless {@code pid} is a live process known to be a JVM. Attaching to anything else
     * would send it SIGQUIT (that is how HotSpot is asked to open its attach socket), which
     * terminates most programs, so without evidence of a JVM the CLI does not attach.
     *
     * @throws CliException no such process, not a JVM, or cannot tell
     */
    static void checkProcess(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            throw noSuchProcess(pid);
        }
        Optional<String> executable = handle.get().info().command();
        String command = executable.isPresent() ? " (" + executable.get() + ")" : "";
        Boolean jvm = mapsJvmLibrary(Paths.get("/proc", Long.toString(pid), "maps"));
        if (jvm == null && System.getProperty("os.name", "").startsWith("Linux")) {
            // The memory map is unreadable (another user's process, or a hardened /proc): a perf data
            // file or an attach socket is evidence enough, and the attach then says what's wrong.
            jvm = hasJvmFiles(pid) ? Boolean.TRUE : null;
            if (jvm == null) {
                throw new CliException("jdiag: cannot tell whether process " + pid + command + " is a Java VM (its"
                        + " memory map is not readable and it has no perf data file); run jdiag as the user that runs it",
                        "unknown process", null);
            }
        }
        if (Boolean.FALSE.equals(jvm)) {
            throw new CliException("jdiag: process " + pid + command + " is not a Java VM; `jdiag list` shows the local JVMs",
                    "not a JVM", null);
        }
    }

    /** A HotSpot perf data file ({@code /tmp/hsperfdata_<user>/<pid>}) or attach socket for {@code pid}, seen from here or from inside its mount namespace. */
    static boolean hasJvmFiles(long pid) {
        String id = Long.toString(pid);
        for (Path tmp : new Path[] {Paths.get("/tmp"), Paths.get("/proc", id, "root", "tmp")}) {
            if (Files.exists(tmp.resolve(".java_pid" + id))) {
                return true;
            }
            try (Stream<Path> dirs = Files.list(tmp)) {
                if (dirs.anyMatch(d -> d.getFileName().toString().startsWith("hsperfdata_") && Files.exists(d.resolve(id)))) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // not listable from here; try the next place
            }
        }
        return false;
    }

    static CliException noSuchProcess(long pid) {
        return new CliException("jdiag: no process with pid " + pid + "; `jdiag list` shows the local JVMs", "exited", null);
    }

    /**
     * Whether the memory map of a process (Linux {@code /proc/<pid>/maps}) contains a JVM library:
     * HotSpot's {@code libjvm}, or OpenJ9's {@code libj9vm}. Null when unknown (no such file, not
     * readable: another user's process, or not Linux); the attach itself then decides.
     */
    static Boolean mapsJvmLibrary(Path maps) {
        if (!Files.isReadable(maps)) {
            return null;
        }
        // A plain loop, no stream: this runs on every attach, where start-up time counts.
        try (BufferedReader lines = Files.newBufferedReader(maps, StandardCharsets.ISO_8859_1)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.contains("/libjvm.") || line.contains("/libj9vm")) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code VirtualMachine.attach} failed. */
    static CliException attach(long pid, Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("owned by")) {
            // "well-known file /tmp/.java_pid<pid> is not secure: file should be owned by the current
            // user (which is 65534) but is owned by 0": the JVM's attach socket exists, and is another user's.
            return otherUser(pid, e);
        }
        if (e instanceof AttachNotSupportedException) {
            if (message.contains("does not support the attach mechanism")) {
                return attachDisabled(pid, e);
            }
            if (message.contains("respond")) {
                return notResponding(pid, e);
            }
        }
        if (e instanceof IOException) {
            if (message.contains("Operation not permitted") || message.contains("Permission denied")) {
                return otherUser(pid, e);
            }
            if (message.contains("No such process") || ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                return noSuchProcess(pid);
            }
        }
        return new CliException("jdiag: cannot attach to JVM " + pid + " (" + e + "); `jcmd " + pid
                + " VM.version` shows whether any tool can", "attach failed", e);
    }

    static CliException attachDisabled(long pid, Throwable cause) {
        return new CliException("jdiag: JVM " + pid + " refuses attach (started with -XX:+DisableAttachMechanism);"
                + " restart it without that flag, or with -javaagent:<agent jar>", "attach disabled", cause);
    }

    static CliException otherUser(long pid, Throwable cause) {
        String me = System.getProperty("user.name", "?");
        String owner = ProcessHandle.of(pid).flatMap(p -> p.info().user()).orElse(null);
        if (owner != null && !owner.equals(me)) {
            return new CliException("jdiag: cannot attach to JVM " + pid + ": it runs as user " + owner + " and jdiag as "
                    + me + "; run jdiag as " + owner + " (e.g. sudo -u " + owner + " bin/jdiag ...)", "user " + owner, cause);
        }
        return new CliException("jdiag: cannot attach to JVM " + pid + ": permission denied (" + cause.getMessage()
                + "); run jdiag as the user that runs the JVM", "permission denied", cause);
    }

    static CliException notResponding(long pid, Throwable cause) {
        return new CliException("jdiag: JVM " + pid + " did not answer the attach request; it may be hung (see `jstack "
                + pid + "`), started with -XX:+DisableAttachMechanism, or in a container with its own /tmp"
                + " (run jdiag inside it)", "not responding", cause);
    }

    /**
     * {@code loadAgent} failed and the agent left no {@code jdiag:} line of its own (it failed
     * before our code ran, or could not be loaded at all).
     */
    static CliException load(long pid, Path jar, Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Dynamic agent loading is not enabled")) {
            return new CliException("jdiag: JVM " + pid + " does not allow loading agents at run time (started with"
                    + " -XX:-EnableDynamicAgentLoading); restart it with -XX:+EnableDynamicAgentLoading, or with"
                    + " -javaagent:" + jar, "agent loading disabled", e);
        }
        if (e instanceof AgentLoadException) {
            return new CliException("jdiag: JVM " + pid + " could not load the agent jar " + jar + " (" + message
                    + "); check that the user running that JVM can read it", "agent load failed", e);
        }
        if (e instanceof AgentInitializationException) {
            return new CliException("jdiag: the agent did not start in JVM " + pid + " (" + message
                    + "); that JVM's stderr has the reason", "agent failed", e);
        }
        if (ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
            return new CliException("jdiag: JVM " + pid + " exited while the agent was loading; check its logs", "exited", e);
        }
        return lost(pid, "loading the agent", e);
    }

    static CliException lost(long pid, String doing, Exception e) {
        return new CliException("jdiag: lost the connection to JVM " + pid + " while " + doing + " (" + e
                + "); check that it still runs, then retry", "connection lost", e);
    }
}
