package io.jdiag.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the CLI's {@code key=value} words into the agent argument string ({@code k=v,k2=v2}), the
 * same text {@code -javaagent:jdiag-agent.jar=...} takes.
 *
 * <p>The agent splits that string at commas outside quotes ({@code '} or {@code "}) and drops the
 * quotes. The shell has usually removed the user's own quotes already ({@code blocking.threads='a,b'}
 * arrives as {@code blocking.threads=a,b}), so a value holding a comma is quoted again here. A word
 * that still contains a quote character was quoted for the agent on purpose and is passed unchanged.
 */
final class AgentArgs {
    /**
     * Settings naming a file or directory. The target JVM resolves a relative path against its own
     * working directory, while the user typed it relative to theirs, so the CLI makes it absolute.
     */
    static final List<String> PATH_KEYS = Arrays.asList("config", "http.password-file", "report.dir");

    private AgentArgs() {}

    /** Returns {@code pairs} with the relative paths of {@link #PATH_KEYS} resolved against {@code cwd}. */
    static List<String> absolutePaths(List<String> pairs, Path cwd) {
        List<String> out = new ArrayList<>(pairs.size());
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            boolean pathSetting = eq > 0 && PATH_KEYS.contains(pair.substring(0, eq).trim())
                    && !value.isEmpty() && value.indexOf('\'') < 0 && value.indexOf('"') < 0;
            out.add(pathSetting ? pair.substring(0, eq + 1) + absolute(value, cwd) : pair);
        }
        return out;
    }

    static String join(List<String> pairs) {
        StringBuilder out = new StringBuilder();
        for (String pair : pairs) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(quote(pair));
        }
        return out.toString();
    }

    private static String absolute(String value, Path cwd) {
        try {
            Path path = Path.of(value);
            return path.isAbsolute() ? value : cwd.toAbsolutePath().resolve(path).normalize().toString();
        } catch (InvalidPathException e) {
            return value; // the agent names the bad value
        }
    }

    static String quote(String pair) {
        if (pair.indexOf('\'') >= 0 || pair.indexOf('"') >= 0 || pair.indexOf(',') < 0) {
            return pair;
        }
        int eq = pair.indexOf('=');
        // Without '=' the agent reports the word as "not key=value"; quoting it whole keeps it one word.
        return eq < 0 ? "'" + pair + "'" : pair.substring(0, eq + 1) + "'" + pair.substring(eq + 1) + "'";
    }
}
