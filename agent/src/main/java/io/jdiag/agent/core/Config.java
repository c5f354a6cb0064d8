package io.jdiag.agent.core;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The agent's configuration, resolved once at start from (first wins) agent arguments, system
 * properties {@code jdiag.<key>}, environment {@code JDIAG_<KEY>}, the properties file named by
 * {@code config}, and defaults.
 *
 * <p>Loading never throws: every unknown key, bad value or unreadable file becomes one
 * {@code jdiag:} problem line, and the key falls back to its default.
 */
public final class Config {
    static final String SYSPROP_PREFIX = "jdiag.";

    /** Key name → parsed value; a key of no source and no default is absent. */
    private final Map<String, Object> values;
    private final Map<String, String> sources;
    private final List<String> problems;
    private final List<String> argumentProblems;

    private Config(Map<String, Object> values, Map<String, String> sources, List<String> problems,
                   List<String> argumentProblems) {
        this.values = values;
        this.sources = sources;
        this.problems = Collections.unmodifiableList(problems);
        this.argumentProblems = Collections.unmodifiableList(argumentProblems);
    }

    /**
     * Environment variables of jdiag's own tools (the CLI, its launcher), which a target JVM
     * started from the same shell inherits; they are not agent configuration.
     */
    static final java.util.Set<String> TOOL_VARIABLES = java.util.Set.of("JDIAG_AGENT_JAR", "JDIAG_JAVA_OPTS", "JDIAG_DEBUG");

    /**
     * Defaults only; for tests and for a detector started without the agent. Every key reads as
     * its default, whether or not this schema holds it.
     */
    public static Config defaults() {
        return load(null, new Properties(), Collections.emptyMap(), ConfigSchema.core());
    }

    /** Loads from this JVM's own system properties and environment. */
    public static Config load(String agentArgs, ConfigSchema schema) {
        return load(agentArgs, System.getProperties(), System.getenv(), schema);
    }

    public static Config load(String agentArgs, Properties sysProps, Map<String, String> env, ConfigSchema schema) {
        List<String> problems = new ArrayList<>();
        // Ordered from highest to lowest precedence; each source maps key name -> raw text.
        List<Map.Entry<String, Map<String, String>>> layers = new ArrayList<>();
        layers.add(Map.entry("agent argument", parseAgentArgs(agentArgs, problems, schema)));
        List<String> argumentProblems = new ArrayList<>(problems);
        layers.add(Map.entry("system property", fromSystemProperties(sysProps, problems, schema)));
        layers.add(Map.entry("environment", fromEnvironment(env, problems, schema)));

        String configFile = firstRaw(layers, CoreKeys.CONFIG.key);
        if (configFile != null) {
            int before = problems.size();
            layers.add(Map.entry("config file " + configFile, fromFile(configFile.trim(), problems, schema)));
            if (layers.get(0).getValue().containsKey(CoreKeys.CONFIG.key)) {
                argumentProblems.addAll(problems.subList(before, problems.size()));
            }
        }

        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (ConfigKey key : schema.keys()) {
            for (Map.Entry<String, Map<String, String>> layer : layers) {
                String raw = layer.getValue().get(key.key);
                if (raw == null) {
                    continue;
                }
                try {
                    values.put(key.key, key.parse(raw));
                    sources.put(key.key, layer.getKey());
                } catch (IllegalArgumentException e) {
                    String line = problem(layer.getKey(), key.key, raw, e.getMessage(), fallback(key));
                    problems.add(line);
                    if (layer == layers.get(0)) {
                        argumentProblems.add(line);
                    }
                }
                break; // an invalid value in a higher layer falls back to the default, as SPEC says
            }
            if (!values.containsKey(key.key) && key.defaultValue != null) {
                values.put(key.key, key.parse(key.defaultValue));
                sources.put(key.key, "default");
            }
        }
        int before = problems.size();
        checkCombinations(values, problems);
        argumentProblems.addAll(problems.subList(before, problems.size()));
        return new Config(values, sources, problems, argumentProblems);
    }

    private static String fallback(ConfigKey key) {
        return key.defaultValue == null ? "leaving it unset" : "using the default " + key.defaultValue;
    }

    static String problem(String source, String key, String value, String what, String consequence) {
        return "jdiag: " + source + " " + key + "=" + value + ": " + what + "; " + consequence;
    }

    /** Basic auth is all or nothing: an endpoint must not quietly come up open when auth was asked for. */
    private static void checkCombinations(Map<String, Object> values, List<String> problems) {
        boolean user = values.containsKey(CoreKeys.HTTP_USER.key);
        boolean password = values.containsKey(CoreKeys.HTTP_PASSWORD_FILE.key);
        if (user != password && !Integer.valueOf(-1).equals(values.get(CoreKeys.HTTP_PORT.key))) {
            problems.add("jdiag: http.user and http.password-file must be set together; endpoint turned off "
                    + "rather than served without the authentication that was asked for");
            values.put(CoreKeys.HTTP_PORT.key, -1);
        }
    }

    private static String firstRaw(List<Map.Entry<String, Map<String, String>>> layers, String key) {
        for (Map.Entry<String, Map<String, String>> layer : layers) {
            String raw = layer.getValue().get(key);
            if (raw != null) {
                return raw;
            }
        }
        return null;
    }

    /**
     * {@code k=v,k2=v2}. A value may be quoted with {@code '} or {@code "} to hold commas
     * ({@code blocking.threads='loop-(1,2)'}).
     */
    static Map<String, String> parseAgentArgs(String args, List<String> problems, ConfigSchema schema) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null || args.isBlank()) {
            return out;
        }
        List<String> pairs = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == ',') {
                pairs.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        pairs.add(cur.toString());
        for (String pair : pairs) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                problems.add("jdiag: agent argument '" + pair.trim() + "' is not key=value; ignored");
                continue;
            }
            String key = pair.substring(0, eq).trim();
            if (checkKnown(key, "agent argument", problems, schema)) {
                out.put(key, pair.substring(eq + 1));
            }
        }
        return out;
    }

    private static Map<String, String> fromSystemProperties(Properties props, List<String> problems, ConfigSchema schema) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            if (name.startsWith(SYSPROP_PREFIX)) {
                String key = name.substring(SYSPROP_PREFIX.length());
                if (checkKnown(key, "system property " + name, problems, schema)) {
                    out.put(key, props.getProperty(name));
                }
            }
        }
        return out;
    }

    private static Map<String, String> fromEnvironment(Map<String, String> env, List<String> problems, ConfigSchema schema) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, ConfigKey> byEnv = new LinkedHashMap<>();
        for (ConfigKey k : schema.keys()) {
            byEnv.put(k.envName(), k);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith("JDIAG_") || TOOL_VARIABLES.contains(e.getKey())) {
                continue;
            }
            ConfigKey k = byEnv.get(e.getKey());
            if (k == null && schema.isOpenEnv(e.getKey())) {
                continue;
            }
            if (k == null) {
                problems.add("jdiag: unknown environment variable " + e.getKey() + "; ignored");
            } else {
                out.put(k.key, e.getValue());
            }
        }
        return out;
    }

    private static Map<String, String> fromFile(String path, List<String> problems, ConfigSchema schema) {
        Map<String, String> out = new LinkedHashMap<>();
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(new File(path).toPath())) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            problems.add("jdiag: config=" + path + ": cannot read the file (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); its keys are ignored");
            return out;
        }
        for (String key : p.stringPropertyNames()) {
            if (key.equals(CoreKeys.CONFIG.key)) {
                problems.add("jdiag: config file " + path + " names another config file; nested files are ignored");
            } else if (checkKnown(key, "config file " + path, problems, schema)) {
                out.put(key, p.getProperty(key));
            }
        }
        return out;
    }

    private static boolean checkKnown(String key, String source, List<String> problems, ConfigSchema schema) {
        if (schema.byName(key) != null) {
            return true;
        }
        if (schema.isOpen(key)) {
            return false; // a key of a detector that failed to load: that detector's own line says enough
        }
        String hint = closestKey(key, schema);
        problems.add("jdiag: unknown config key '" + key + "' (" + source + "); ignored"
                + (hint == null ? "" : " (did you mean " + hint + "?)"));
        return false;
    }

    /** The known key within edit distance 3 of a typo, if any. */
    static String closestKey(String typo, ConfigSchema schema) {
        String best = null;
        int bestDistance = 4;
        for (ConfigKey k : schema.keys()) {
            int d = editDistance(typo, k.key);
            if (d < bestDistance) {
                bestDistance = d;
                best = k.key;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Problem lines, each starting {@code jdiag:}; empty when the configuration is clean. */
    public List<String> problems() {
        return problems;
    }

    /**
     * The problems of what the attacher passed (agent arguments, a config file they name, the
     * endpoint's auth): a hot attach refuses these, since its user is there to fix them. Problems
     * of the target's own system properties or environment fall back as at start-up.
     */
    public List<String> argumentProblems() {
        return argumentProblems;
    }

    public boolean isSet(ConfigKey key) {
        return values.containsKey(key.key);
    }

    /** Where the value came from: "agent argument", "system property", "environment", "config file ...", "default". */
    public String source(ConfigKey key) {
        return sources.getOrDefault(key.key, key.defaultValue != null ? "default" : "unset");
    }

    /**
     * The parsed value; the key's default when no source set it (also for a key this configuration's
     * schema does not hold, as in tests of one detector), or null when it has none.
     */
    private Object value(ConfigKey key) {
        Object v = values.get(key.key);
        if (v == null && !values.containsKey(key.key) && key.defaultValue != null) {
            return key.parse(key.defaultValue);
        }
        return v;
    }

    public String string(ConfigKey key) {
        Object v = value(key);
        return v == null ? null : v.toString();
    }

    public boolean bool(ConfigKey key) {
        return Boolean.TRUE.equals(value(key));
    }

    public long nanos(ConfigKey key) {
        return (Long) value(key);
    }

    public long bytes(ConfigKey key) {
        return (Long) value(key);
    }

    public double fraction(ConfigKey key) {
        return (Double) value(key);
    }

    public int integer(ConfigKey key) {
        return (Integer) value(key);
    }

    public Pattern pattern(ConfigKey key) {
        return (Pattern) value(key);
    }

    public File file(ConfigKey key) {
        return (File) value(key);
    }

    /** {@code true} unless {@code <detector>.enabled=false}. */
    public boolean detectorEnabled(String detector) {
        Object v = values.get(detector + ".enabled");
        return !Boolean.FALSE.equals(v);
    }
}
