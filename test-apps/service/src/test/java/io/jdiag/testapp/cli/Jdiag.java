package io.jdiag.testapp.cli;

import io.jdiag.testapp.harness.Paths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/jdiag} as a subprocess, the way a user does, on the JDK under test
 * ({@code JAVA_HOME} = {@link Paths#javaHome()}), and captures its exit code and output.
 *
 * <p>The child's environment has no {@code JDIAG_*} variables of the developer's shell, so every run
 * finds the agent jar the way an unconfigured user's would (next to the CLI in this repository),
 * unless a test sets one. The launcher is {@value #CLI_PROPERTY} (set by failsafe), default
 * {@code ../../bin/jdiag}.
 */
public final class Jdiag {
    static final String CLI_PROPERTY = "jdiag.cli";
    private static final long TIMEOUT_SECONDS = 120;

    /** Exit code and output of one run; {@code pid} is the CLI's own (bin/jdiag execs java). */
    public record Result(long pid, int exitCode, String stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : List.of(stderr.split("\\R"));
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    private Jdiag() {
    }

    static Path launcher() {
        String value = System.getProperty(CLI_PROPERTY);
        Path path = Paths.moduleDir().resolve(value != null && !value.isBlank() ? value : "../../bin/jdiag").normalize();
        Path cliJar = path.getParent().resolve("../attach-cli/target/jdiag-cli.jar").normalize();
        Paths.requireFile(cliJar, "build it: mvn -pl attach-cli package");
        return Paths.requireFile(path, "bin/jdiag of this repository");
    }

    public static Result run(String... args) {
        return run(Map.of(), List.of(), args);
    }

    /**
     * @param env    extra environment variables for the CLI
     * @param prefix command words before the launcher, e.g. {@code setpriv ...} to run it as another user
     */
    public static Result run(Map<String, String> env, List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(launcher().toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(name -> name.startsWith("JDIAG_"));
        pb.environment().put("JAVA_HOME", Paths.javaHome().toString());
        agentJarOverride().ifPresent(jar -> pb.environment().put("JDIAG_AGENT_JAR", jar.toString()));
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile("jdiag-cli-out", ".txt");
            Path err = Files.createTempFile("jdiag-cli-err", ".txt");
            try {
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                            + TIMEOUT_SECONDS + "s; stderr:\n" + Files.readString(err));
                }
                return new Result(p.pid(), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    /**
     * The agent jar, when the tests were told to use another one than this repository's
     * ({@code -Djdiag.agent.jar=...}); otherwise the CLI finds it by itself, as for a user.
     */
    static Optional<Path> agentJarOverride() {
        Path repositoryJar = Paths.moduleDir().resolve("../../agent/target/jdiag-agent.jar").normalize();
        return Paths.agentJar().equals(repositoryJar) ? Optional.empty() : Optional.of(Paths.agentJar());
    }

    /** A pid that no process has (above Linux's default pid_max). */
    static long unusedPid() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        return pid;
    }
}
