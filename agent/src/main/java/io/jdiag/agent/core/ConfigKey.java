package io.jdiag.agent.core;

import java.io.File;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One configuration key: its name, type, default and meaning. Parsing and validation live here so
 * that the agent, {@code jdiag check-config} and the docs agree on one definition.
 *
 * <p>The core declares its own keys ({@link CoreKeys}); each detector declares the keys of its
 * package ({@link Detector#configKeys()}), and the core derives {@code <detector>.enabled} for every
 * detector ({@link ConfigSchema}).
 */
public final class ConfigKey {
    /** Value types; each knows how to parse its text form. */
    public enum Type { STRING, BOOLEAN, DURATION, SIZE, FRACTION, PORT, INT, REGEX, FILE, DIR }

    public final String key;
    public final Type type;
    /** Text form of the default, or null for "unset". */
    public final String defaultValue;
    public final String description;

    /**
     * @param key          {@code <detector>.<name>} for a detector's key, e.g. {@code leaks.sample.rate}
     * @param defaultValue text form of the default (parsed like any value), or null for "unset"
     * @param description  one line for the docs and {@code jdiag check-config}
     */
    public ConfigKey(String key, Type type, String defaultValue, String description) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        if (defaultValue != null) {
            parse(defaultValue); // a default that does not parse is a bug of the declaring code: fail at once
        }
    }

    public static ConfigKey duration(String key, String defaultValue, String description) {
        return new ConfigKey(key, Type.DURATION, defaultValue, description);
    }

    public static ConfigKey size(String key, String defaultValue, String description) {
        return new ConfigKey(key, Type.SIZE, defaultValue, description);
    }

    public static ConfigKey fraction(String key, String defaultValue, String description) {
        return new ConfigKey(key, Type.FRACTION, defaultValue, description);
    }

    public static ConfigKey integer(String key, String defaultValue, String description) {
        return new ConfigKey(key, Type.INT, defaultValue, description);
    }

    public static ConfigKey bool(String key, String defaultValue, String description) {
        return new ConfigKey(key, Type.BOOLEAN, defaultValue, description);
    }

    public static ConfigKey regex(String key, String defaultValue, String description) {
        return new ConfigKey(key, Type.REGEX, defaultValue, description);
    }

    public static ConfigKey string(String key, String defaultValue, String description) {
        return new ConfigKey(key, Type.STRING, defaultValue, description);
    }

    /** {@code http.password-file} → {@code JDIAG_HTTP_PASSWORD_FILE}. */
    public String envName() {
        return envName(key);
    }

    static String envName(String key) {
        return "JDIAG_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return key;
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
