package io.jdiag.testapp.spring;

import io.jdiag.testapp.harness.Paths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs this repository's {@code bin/jdiag} as a user does, on the JDK under test. */
final class Cli {
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        Path launcher = Paths.requireFile(Paths.moduleDir().resolve("../../bin/jdiag").normalize(), "bin/jdiag of this repository");
        Paths.requireFile(Paths.moduleDir().resolve("../../attach-cli/target/jdiag-cli.jar").normalize(),
                "build it: mvn -pl attach-cli -am package");
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(name -> name.startsWith("JDIAG_"));
        pb.environment().put("JAVA_HOME", Paths.javaHome().toString());
        pb.environment().put("JDIAG_AGENT_JAR", Paths.agentJar().toString());
        try {
            Path out = Files.createTempFile("jdiag-cli-out", ".txt");
            Path err = Files.createTempFile("jdiag-cli-err", ".txt");
            try {
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(command + " did not finish in 120 s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
