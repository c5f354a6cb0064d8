package io.jdiag.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds {@code jdiag-agent.jar}: the {@code --agent-jar} option, else {@value #ENV}, else next to
 * the CLI jar (an unpacked distribution), else {@code ../../agent/target/jdiag-agent.jar} from the
 * CLI jar (this repository's build layout: {@code attach-cli/target/jdiag-cli.jar}).
 *
 * <p>The path is made absolute: the target JVM opens it, and its working directory is not ours.
 */
final class AgentJar {
    static final String ENV = "JDIAG_AGENT_JAR";
    static final String FILE_NAME = "jdiag-agent.jar";

    private AgentJar() {}

    /**
     * @param option  value of {@code --agent-jar}, or null
     * @param envValue value of {@value #ENV}, or null
     * @param cliJar  the jar (or classes directory) the CLI runs from, or null if unknown
     */
    static Path locate(String option, String envValue, Path cliJar) {
        if (option != null && !option.isEmpty()) {
            return requireJar(Paths.get(option), "--agent-jar " + option);
        }
        if (envValue != null && !envValue.isEmpty()) {
            return requireJar(Paths.get(envValue), ENV + "=" + envValue);
        }
        List<Path> candidates = new ArrayList<>();
        if (cliJar != null) {
            Path dir = cliJar.toAbsolutePath().normalize().getParent();
            if (dir != null) {
                candidates.add(dir.resolve(FILE_NAME));
                candidates.add(dir.resolve("../../agent/target/" + FILE_NAME).normalize());
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                return c;
            }
        }
        throw new CliException("jdiag: agent jar not found (looked for " + describe(candidates)
                + "); build it with `make build`, or name it with --agent-jar <path> or " + ENV + "=<path>");
    }

    /** Where this CLI's classes come from: the shaded jar normally, a directory in unit tests. */
    static Path cliLocation() {
        try {
            CodeSource source = AgentJar.class.getProtectionDomain().getCodeSource();
            return source == null ? null : Paths.get(source.getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Path requireJar(Path path, String origin) {
        Path abs = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
            throw new CliException("jdiag: agent jar not found: " + abs + " (from " + origin
                    + "); build it with `make build` or point to an existing jdiag-agent.jar");
        }
        if (!Files.isReadable(abs)) {
            throw new CliException("jdiag: agent jar " + abs + " is not readable; fix its permissions (the target JVM must read it too)");
        }
        return abs;
    }

    private static String describe(List<Path> candidates) {
        if (candidates.isEmpty()) {
            return "nothing: the CLI's own location is unknown";
        }
        StringBuilder s = new StringBuilder();
        for (Path c : candidates) {
            if (s.length() > 0) {
                s.append(" and ");
            }
            s.append(c);
        }
        return s.toString();
    }
}
