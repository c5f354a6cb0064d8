package io.jdiag.agent.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registered detectors, each loaded inside a guard of its own: a detector whose class cannot
 * be loaded or instantiated, or whose {@code name()}, {@code configKeys()} or {@code libraryPackages()}
 * throws, is one entry in {@link #failures()} and the others load on. The registration file is
 * read here rather than through {@code ServiceLoader}, whose iterator names no detector when one
 * fails and may not recover past it.
 */
public final class DetectorCatalog {
    static final String SERVICE_FILE = "META-INF/services/" + Detector.class.getName();

    private final List<Detector> detectors;
    private final Map<String, String> failures;

    private DetectorCatalog(List<Detector> detectors, Map<String, String> failures) {
        this.detectors = Collections.unmodifiableList(detectors);
        this.failures = Collections.unmodifiableMap(failures);
    }

    /** Loads every detector registered in {@code loader}'s service files. Never throws. */
    public static DetectorCatalog load(ClassLoader loader) {
        List<Detector> detectors = new ArrayList<>();
        Map<String, String> failures = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>();
        for (String className : registeredClasses(loader, failures)) {
            String name = nameOf(className);
            try {
                Detector d = Class.forName(className, true, loader).asSubclass(Detector.class)
                        .getDeclaredConstructor().newInstance();
                name = d.name();
                checkKeys(d);
                d.description();
                d.libraryPackages();
                if (!names.add(name)) {
                    throw new IllegalStateException("a second detector named " + name + " (" + className + ")");
                }
                detectors.add(d);
            } catch (Throwable t) {
                failures.put(name, "cannot be loaded: " + cause(t));
            }
        }
        return new DetectorCatalog(detectors, failures);
    }

    /** For tests and benchmarks: these detectors, as if registered. */
    public static DetectorCatalog of(List<Detector> detectors) {
        return new DetectorCatalog(new ArrayList<>(detectors), new LinkedHashMap<>());
    }

    private static void checkKeys(Detector d) {
        for (ConfigKey k : d.configKeys()) {
            if (!k.key.startsWith(d.name() + ".") || k.key.equals(d.name() + ".enabled")) {
                throw new IllegalStateException("config key " + k.key + " is not of the form " + d.name() + ".<key>");
            }
        }
    }

    private static List<String> registeredClasses(ClassLoader loader, Map<String, String> failures) {
        Set<String> classes = new LinkedHashSet<>();
        try {
            Enumeration<URL> files = loader.getResources(SERVICE_FILE);
            while (files.hasMoreElements()) {
                URL url = files.nextElement();
                try (InputStream in = url.openStream();
                     BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        int hash = line.indexOf('#');
                        String c = (hash < 0 ? line : line.substring(0, hash)).trim();
                        if (!c.isEmpty()) {
                            classes.add(c);
                        }
                    }
                }
            }
        } catch (IOException e) {
            failures.put("(registration)", "cannot read " + SERVICE_FILE + ": " + e);
        }
        return new ArrayList<>(classes);
    }

    /** {@code io.jdiag.agent.detector.pools.PoolsDetector} → {@code pools}: the name of one that cannot say it. */
    static String nameOf(String className) {
        String prefix = "io.jdiag.agent.detector.";
        if (className.startsWith(prefix) && className.indexOf('.', prefix.length()) > 0) {
            return className.substring(prefix.length(), className.indexOf('.', prefix.length()));
        }
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple.replaceFirst("Detector$", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** The root cause of a failure, one line: what a user can search for. */
    static String cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof InvocationTargetException || c instanceof ExceptionInInitializerError) && c.getCause() != null) {
            c = c.getCause();
        }
        return c.toString().replace('\n', ' ').replace('\r', ' ');
    }

    /** The detectors that loaded, in registration order. */
    public List<Detector> detectors() {
        return detectors;
    }

    /** Detector name → why it could not be loaded. */
    public Map<String, String> failures() {
        return failures;
    }
}
