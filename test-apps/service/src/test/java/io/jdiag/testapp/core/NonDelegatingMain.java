package io.jdiag.testapp.core;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link BootDelegationIT} in a JVM of its own with the agent: loads Gson (which the
 * serialization detector instruments) through two class loaders that refuse parent delegation for
 * everything but {@code java.*}, as OSGi bundle loaders and JBoss Modules do, and serializes with each.
 * They differ only in their names: {@code RefusingClassLoader} is one the agent's boot delegation
 * weaves, {@code IsolatingRealm} (no {@code ClassLoader} in its name) is one it does not — the control:
 * there the advice cannot resolve {@code io.jdiag.bootstrap} and the detector is blind. Prints
 * {@code key=value} lines, then the agent's {@code /metrics} between markers.
 *
 * <p>With a fourth argument {@code await-attach}, the loaders and Gson are loaded first, then it prints
 * {@code READY} and waits for a line on stdin: the test attaches the agent meanwhile.
 *
 * <p>No {@code Loader} in this class's name either: its nested classes carry it in theirs.
 */
public final class NonDelegatingMain {
    static final String HOOKS = "io.jdiag.bootstrap.SerializationHooks";

    private NonDelegatingMain() {}

    public static void main(String[] args) throws Exception {
        URL[] gson = {Path.of(args[0]).toUri().toURL()};
        int controlCalls = Integer.parseInt(args[1]);
        int wovenCalls = Integer.parseInt(args[2]);
        // The control first: anything it recorded would be in the metrics before the woven loader's calls.
        ClassLoader control = new IsolatingRealm(gson);
        ClassLoader woven = new RefusingClassLoader(gson);
        if (args.length > 3 && args[3].equals("await-attach")) {
            // Both loaders, and Gson in each, loaded before the agent comes: the attach retransforms them.
            Class.forName("com.google.gson.Gson", true, control);
            Class.forName("com.google.gson.Gson", true, woven);
            System.out.println("READY");
            System.out.flush();
            if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
                throw new IllegalStateException("stdin closed before the attach");
            }
        }
        System.out.println("control.hooks=" + hooksSeenBy(control));
        System.out.println("woven.hooks=" + hooksSeenBy(woven));
        System.out.println("control.calls=" + serialize(control, controlCalls));
        System.out.println("woven.calls=" + serialize(woven, wovenCalls));
        System.out.println("woven.unrelated=" + unrelatedNameStillRefused(woven));
        System.out.println("osgi=" + System.getProperty("org.osgi.framework.bootdelegation"));
        System.out.println("jboss=" + System.getProperty("jboss.modules.system.pkgs"));
        System.out.println("METRICS-BEGIN");
        System.out.println(metrics());
        System.out.println("METRICS-END");
    }

    /** {@code boot} when the loader answers the hook class with the boot loader's, {@code none} when it cannot. */
    private static String hooksSeenBy(ClassLoader loader) {
        try {
            Class<?> c = Class.forName(HOOKS, false, loader);
            return c.getClassLoader() == null ? "boot" : "other:" + c.getClassLoader();
        } catch (ClassNotFoundException e) {
            return "none";
        }
    }

    /** A name outside io.jdiag.bootstrap is still the loader's own business: it refuses it as before. */
    private static String unrelatedNameStillRefused(ClassLoader loader) {
        try {
            Class.forName("io.jdiag.testapp.core.NonDelegatingMain", false, loader);
            return "loaded";
        } catch (ClassNotFoundException e) {
            return "refused";
        }
    }

    /** Calls Gson's {@code toJson} {@code times} times on Gson loaded by {@code loader}; returns the calls that gave the right JSON. */
    private static int serialize(ClassLoader loader, int times) throws Exception {
        Class<?> gsonClass = Class.forName("com.google.gson.Gson", true, loader);
        if (gsonClass.getClassLoader() != loader) {
            throw new IllegalStateException("Gson was loaded by " + gsonClass.getClassLoader() + ", not " + loader);
        }
        Object gson = gsonClass.getConstructor().newInstance();
        Method toJson = gsonClass.getMethod("toJson", Object.class);
        int ok = 0;
        for (int i = 0; i < times; i++) {
            if ("[1,2,3]".equals(toJson.invoke(gson, List.of(1, 2, 3)))) {
                ok++;
            }
        }
        return ok;
    }

    private static String metrics() throws Exception {
        String endpoint = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && (endpoint = System.getProperty("io.jdiag.agent.endpoint")) == null) {
            Thread.sleep(50);
        }
        if (endpoint == null || endpoint.equals("off")) {
            return "no endpoint: " + endpoint;
        }
        java.net.URLConnection c = URI.create(endpoint).resolve("metrics").toURL().openConnection();
        // timeouts set: a call without one is itself a finding of the http detector
        c.setConnectTimeout(30_000);
        c.setReadTimeout(30_000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Parent delegation for {@code java.*} only; every other class from its own URLs, or not at all. */
    static Class<?> loadRefusing(URLClassLoader self, String name, boolean resolve, Finder finder)
            throws ClassNotFoundException {
        if (name.startsWith("java.")) {
            return Class.forName(name, false, null);
        }
        synchronized (self) {
            Class<?> c = finder.loaded(name);
            if (c == null) {
                c = finder.find(name);
            }
            return c;
        }
    }

    interface Finder {
        Class<?> loaded(String name);

        Class<?> find(String name) throws ClassNotFoundException;
    }

    /** Woven by the agent (its name contains {@code Loader}). */
    static final class RefusingClassLoader extends URLClassLoader {
        RefusingClassLoader(URL[] urls) {
            super(urls, null);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            return loadRefusing(this, name, resolve, new Finder() {
                @Override
                public Class<?> loaded(String n) {
                    return findLoadedClass(n);
                }

                @Override
                public Class<?> find(String n) throws ClassNotFoundException {
                    return findClass(n);
                }
            });
        }
    }

    /** The same loader under a name the agent's rule does not weave: the control. */
    static final class IsolatingRealm extends URLClassLoader {
        IsolatingRealm(URL[] urls) {
            super(urls, null);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            return loadRefusing(this, name, resolve, new Finder() {
                @Override
                public Class<?> loaded(String n) {
                    return findLoadedClass(n);
                }

                @Override
                public Class<?> find(String n) throws ClassNotFoundException {
                    return findClass(n);
                }
            });
        }
    }
}
