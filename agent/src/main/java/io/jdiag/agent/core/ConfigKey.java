package io.jdiag.agent.core;

import java.io.File;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Every configuration key the agent knows: its type, default and meaning. Parsing and validation
 * live here so that the agent, {@code jdiag check-config} and the docs agree on one definition.
 */
public enum ConfigKey {
    CONFIG("config", Type.STRING, null, "properties file with more keys (lowest precedence above defaults)"),
    HTTP_HOST("http.host", Type.STRING, "127.0.0.1", "address the endpoint binds to"),
    HTTP_PORT("http.port", Type.PORT, "9490", "endpoint port; 0 = any free port, off = no endpoint"),
    HTTP_USER("http.user", Type.STRING, null, "basic-auth user required on every endpoint (with http.password-file)"),
    HTTP_PASSWORD_FILE("http.password-file", Type.FILE, null, "file whose first line is the basic-auth password"),

    POOLS_ENABLED("pools.enabled", Type.BOOLEAN, "true", "connection-pool detector on/off"),
    LEAKS_ENABLED("leaks.enabled", Type.BOOLEAN, "true", "unclosed-resource detector on/off"),
    BLOCKING_ENABLED("blocking.enabled", Type.BOOLEAN, "true", "event-loop blocking detector on/off"),
    BUFFERING_ENABLED("buffering.enabled", Type.BOOLEAN, "true", "unbounded-buffering detector on/off"),
    SERIALIZATION_ENABLED("serialization.enabled", Type.BOOLEAN, "true", "slow-serialization detector on/off"),
    HTTP_ENABLED("http.enabled", Type.BOOLEAN, "true", "HTTP server/client detector on/off"),

    POOLS_ACQUIRE_THRESHOLD("pools.acquire.threshold", Type.DURATION, "100ms", "an acquire waiting longer counts as exhaustion"),
    POOLS_LEAK_THRESHOLD("pools.leak.threshold", Type.DURATION, "30s", "a connection held longer is a suspected leak"),

    LEAKS_SAMPLE_RATE("leaks.sample.rate", Type.FRACTION, "1", "fraction of opened resources whose opening stack is captured"),
    LEAKS_LONG_OPEN_THRESHOLD("leaks.long-open.threshold", Type.DURATION, "5m", "resources open longer are listed as long-open (not leaks)"),
    LEAKS_MAX_TRACKED("leaks.max-tracked", Type.INT, "200000", "most resources tracked at once; beyond, new ones are counted but not tracked"),

    BLOCKING_THREADS("blocking.threads", Type.REGEX, null, "extra regex of thread names treated as event loops"),
    BLOCKING_STALL_THRESHOLD("blocking.stall.threshold", Type.DURATION, "100ms", "a loop task running longer is a stall"),
    BUFFERING_THRESHOLD("buffering.threshold", Type.SIZE, "8MiB", "a single in-memory read/buffer larger is flagged"),
    SERIALIZATION_THRESHOLD("serialization.threshold", Type.DURATION, "50ms", "one (de)serialization call slower is flagged"),

    REPORT_DIR("report.dir", Type.DIR, null, "also write the report there periodically and at JVM exit"),
    REPORT_INTERVAL("report.interval", Type.DURATION, "60s", "how often the report is written to report.dir"),
    REPORT_MAX_FINDINGS("report.max-findings", Type.INT, "500", "most findings kept; more are counted as dropped"),
    EVENTS_QUEUE_CAPACITY("events.queue.capacity", Type.INT, "16384", "capacity of the queue from application threads to the agent thread");

    /** Value types; each knows how to parse its text form. */
    public enum Type { STRING, BOOLEAN, DURATION, SIZE, FRACTION, PORT, INT, REGEX, FILE, DIR }

    private static final Map<String, ConfigKey> BY_NAME;

    static {
        Map<String, ConfigKey> m = new LinkedHashMap<>();
        for (ConfigKey k : values()) {
            m.put(k.key, k);
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    public final String key;
    public final Type type;
    /** Text form of the default, or null for "unset". */
    public final String defaultValue;
    public final String description;

    ConfigKey(String key, Type type, String defaultValue, String description) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public static ConfigKey byName(String name) {
        return BY_NAME.get(name);
    }

    /** {@code http.password-file} → {@code JDIAG_HTTP_PASSWORD_FILE}. */
    public String envName() {
        return "JDIAG_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Parses a value of this key's type.
     *
     * @return Boolean, Long (durations in nanoseconds, sizes in bytes), Double, Integer (port -1 = off),
     *     Pattern, File or String
     * @throws IllegalArgumentException with a message that says what is expected
     */
    public Object parse(String text) {
        String v = text.trim();
        switch (type) {
            case BOOLEAN:
                if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("on") || v.equalsIgnoreCase("yes")) {
                    return Boolean.TRUE;
                }
                if (v.equalsIgnoreCase("false") || v.equalsIgnoreCase("off") || v.equalsIgnoreCase("no")) {
                    return Boolean.FALSE;
                }
                throw new IllegalArgumentException("expected true or false");
            case DURATION:
                return parseDurationNanos(v);
            case SIZE:
                return parseSizeBytes(v);
            case FRACTION: {
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a number from 0 to 1, e.g. 0.01");
                }
                if (!(d >= 0 && d <= 1)) {
                    throw new IllegalArgumentException("expected a number from 0 to 1, e.g. 0.01");
                }
                return d;
            }
            case PORT: {
                if (v.equalsIgnoreCase("off")) {
                    return -1;
                }
                int p = parseInt(v, "expected a port from 0 to 65535, or off");
                if (p < 0 || p > 65535) {
                    throw new IllegalArgumentException("expected a port from 0 to 65535, or off");
                }
                return p;
            }
            case INT: {
                int i = parseInt(v, "expected a positive whole number");
                if (i <= 0) {
                    throw new IllegalArgumentException("expected a positive whole number");
                }
                return i;
            }
            case REGEX:
                try {
                    return Pattern.compile(v);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("not a valid regular expression: " + e.getDescription());
                }
            case FILE: {
                File f = new File(v);
                if (!f.isFile() || !f.canRead()) {
                    throw new IllegalArgumentException("no readable file there");
                }
                return f;
            }
            case DIR: {
                File d = new File(v);
                if (!d.isDirectory() && !d.mkdirs()) {
                    throw new IllegalArgumentException("cannot create that directory");
                }
                if (!d.canWrite()) {
                    throw new IllegalArgumentException("directory is not writable");
                }
                return d;
            }
            default:
                if (v.isEmpty()) {
                    throw new IllegalArgumentException("empty value");
                }
                return v;
        }
    }

    private static int parseInt(String v, String expected) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected);
        }
    }

    /** {@code 250ms}, {@code 20s}, {@code 5m}, {@code 1h} → nanoseconds. A bare number is refused: its unit would be a guess. */
    static long parseDurationNanos(String v) {
        String expected = "expected a duration such as 250ms, 20s, 5m or 1h";
        long unit;
        String digits;
        if (v.endsWith("ms")) {
            unit = 1_000_000L;
            digits = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            unit = 1_000_000_000L;
            digits = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            unit = 60_000_000_000L;
            digits = v.substring(0, v.length() - 1);
        } else if (v.endsWith("h")) {
            unit = 3_600_000_000_000L;
            digits = v.substring(0, v.length() - 1);
        } else {
            throw new IllegalArgumentException(expected);
        }
        long n;
        try {
            n = Long.parseLong(digits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected);
        }
        if (n <= 0 || n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException(expected + " (more than zero)");
        }
        return n * unit;
    }

    /** {@code 512}, {@code 512B}, {@code 64KiB}, {@code 8MiB}, {@code 1GiB} → bytes. */
    static long parseSizeBytes(String v) {
        String expected = "expected a size such as 512KiB, 8MiB or 1GiB";
        long unit = 1;
        String digits = v;
        String[][] units = {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}, {"B", "1"}};
        for (String[] u : units) {
            if (v.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                digits = v.substring(0, v.length() - u[0].length());
                break;
            }
        }
        long n;
        try {
            n = Long.parseLong(digits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected);
        }
        if (n < 0 || n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException(expected);
        }
        return n * unit;
    }
}
