package io.jdiag.agent.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every key this agent knows: the core's ({@link CoreKeys}), then for each detector its derived
 * {@code <name>.enabled} and the keys it declares. A detector that failed to load keeps its
 * {@code <name>.enabled}, and its other keys are accepted unchecked, so a configuration written for
 * a working build raises no "unknown key" noise on top of the one line that says the detector is off.
 */
public final class ConfigSchema {
    private final Map<String, ConfigKey> keys;
    private final List<String> openPrefixes;

    private ConfigSchema(Map<String, ConfigKey> keys, List<String> openPrefixes) {
        this.keys = Collections.unmodifiableMap(keys);
        this.openPrefixes = Collections.unmodifiableList(openPrefixes);
    }

    public static ConfigSchema of(DetectorCatalog catalog) {
        Map<String, ConfigKey> keys = new LinkedHashMap<>();
        for (ConfigKey k : CoreKeys.ALL) {
            keys.put(k.key, k);
        }
        List<String> open = new ArrayList<>();
        for (Detector d : catalog.detectors()) {
            ConfigKey enabled = enabledKey(d.name(), d.description());
            keys.put(enabled.key, enabled);
            for (ConfigKey k : d.configKeys()) {
                keys.put(k.key, k);
            }
        }
        for (String failed : catalog.failures().keySet()) {
            ConfigKey enabled = enabledKey(failed, failed + " detector (failed to load)");
            keys.putIfAbsent(enabled.key, enabled);
            open.add(failed + ".");
        }
        return new ConfigSchema(keys, open);
    }

    /** The core's keys only: for tests of the core. */
    public static ConfigSchema core() {
        return of(DetectorCatalog.of(Collections.emptyList()));
    }

    static ConfigKey enabledKey(String detector, String description) {
        return ConfigKey.bool(detector + ".enabled", "true", description + " on/off");
    }

    public ConfigKey byName(String name) {
        return keys.get(name);
    }

    /** A key under a detector that failed to load: accepted and ignored. */
    boolean isOpen(String name) {
        for (String p : openPrefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** A {@code JDIAG_} variable of a detector that failed to load ({@code JDIAG_POOLS_...}). */
    boolean isOpenEnv(String variable) {
        for (String p : openPrefixes) {
            if (variable.startsWith(ConfigKey.envName(p.substring(0, p.length() - 1)) + "_")) {
                return true;
            }
        }
        return false;
    }

    /** In order: core keys, then per detector its enabled key and its own keys. */
    public Collection<ConfigKey> keys() {
        return keys.values();
    }
}
