package io.jdiag.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * The agent's only entry point visible to the application's class loader. It does three things
 * and nothing else: append the bootstrap hooks jar to the bootstrap class path, create the
 * {@link AgentClassLoader} that holds the implementation, and hand over to
 * {@code io.jdiag.agent.core.Agent} inside it.
 *
 * <p>JDK classes only (and, once it has appended them, the bootstrap hooks' {@code BootstrapJar}):
 * this class is loaded by the system class loader, next to the application.
 */
public final class AgentMain {
    private static final String BOOTSTRAP_JAR = "jdiag-bootstrap.jar";
    private static final String BOOTSTRAP_PROBE = "io.jdiag.bootstrap.LeaksHooks";
    /** The same fingerprint for the CLI, which compares it with its agent jar's before it attaches. */
    static final String FINGERPRINT_PROPERTY = "io.jdiag.bootstrap.fingerprint";
    private static final String AGENT_CLASS = "io.jdiag.agent.core.Agent";
    /** Published in the attach error system property so the CLI can show the agent's own line. */
    static final String ATTACH_ERROR_PROPERTY = "io.jdiag.agent.attach-error";

    /** Guards the two fields; premain and every attach go through it. */
    private static final Object LOCK = new Object();
    private static AutoCloseable running;
    private static AgentClassLoader loader;

    private AgentMain() {}

    public static void premain(String args, Instrumentation inst) {
        try {
            start(args, inst, "premain");
        } catch (Throwable t) {
            // Never let an agent failure stop the application from starting.
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            System.err.println("jdiag: agent not started: " + t + (root != t ? " (cause: " + root + ")" : ""));
        }
    }

    /**
     * Hot attach. Unlike premain, a bad configuration refuses the whole attach: nothing is
     * installed, the target runs on untouched, and the reason is left in a system property that
     * the CLI reads and shows. Returning normally (not throwing) spares the target's stderr the
     * JDK's stack trace and assertion lines for a failed agent.
     */
    public static void agentmain(String args, Instrumentation inst) throws Exception {
        String command = args == null ? "" : args.trim();
        if (command.equals("detach")) {
            detach();
            return;
        }
        System.clearProperty(ATTACH_ERROR_PROPERTY);
        try {
            start(args, inst, "attach");
        } catch (Throwable t) {
            String line = t.getMessage() != null && t.getMessage().startsWith("jdiag:")
                    ? t.getMessage() : "jdiag: attach failed: " + t;
            System.setProperty(ATTACH_ERROR_PROPERTY, line);
            System.err.println("jdiag: attach refused, nothing installed: " + line.replace('\n', ' '));
        }
    }

    private static void start(String args, Instrumentation inst, String mode) throws Exception {
        synchronized (LOCK) {
            if (running != null) {
                System.err.println("jdiag: agent already installed in this JVM; ignoring the second "
                        + ("attach".equals(mode) ? "attach" : "-javaagent") + " (detach first to change its configuration)");
                return;
            }
            File agentJar = agentJar();
            appendBootstrapJar(inst, agentJar);
            AgentClassLoader newLoader = new AgentClassLoader(agentJar, ClassLoader.getPlatformClassLoader(), true);
            try {
                Class<?> agentClass = Class.forName(AGENT_CLASS, true, newLoader);
                Object agent = agentClass
                        .getMethod("start", String.class, Instrumentation.class, String.class, File.class)
                        .invoke(null, args, inst, mode, agentJar);
                running = (AutoCloseable) agent;
                loader = newLoader;
            } catch (java.lang.reflect.InvocationTargetException e) {
                newLoader.close();
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            } catch (Throwable t) {
                newLoader.close();
                throw t;
            }
        }
    }

    /**
     * Removes all instrumentation and stops the agent's threads and endpoint, then drops the
     * agent class loader so its classes can be unloaded. The bootstrap hooks stay (the bootstrap
     * class path cannot shrink) but without a sink they do nothing.
     */
    private static void detach() throws Exception {
        synchronized (LOCK) {
            if (running == null) {
                System.err.println("jdiag: detach requested but the agent is not running");
                return;
            }
            try {
                running.close();
            } finally {
                running = null;
                AgentClassLoader l = loader;
                loader = null;
                if (l != null) {
                    l.close();
                }
            }
        }
    }

    /**
     * For {@code jdiag check-config}: validates agent arguments with the agent's own rules, in the
     * caller's process, touching no JVM. The CLI loads this jar and calls this method reflectively.
     *
     * @return one {@code jdiag:} line per problem; empty when the configuration is good
     */
    @SuppressWarnings("unchecked")
    public static java.util.List<String> checkConfig(String args) throws Exception {
        // The detectors declare their own keys, so they are loaded here as in the agent; their classes
        // refer to the bootstrap hooks, which a loader over the nested hooks jar provides in this process.
        Path hooks = extractBootstrapJar(agentJar());
        try (java.net.URLClassLoader bootstrap = new java.net.URLClassLoader(new java.net.URL[] {hooks.toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
             AgentClassLoader l = new AgentClassLoader(agentJar(), bootstrap, false)) {
            return new java.util.ArrayList<>((java.util.List<String>) Class.forName("io.jdiag.agent.core.ConfigCheck", true, l)
                    .getMethod("check", String.class).invoke(null, args));
        } finally {
            Files.deleteIfExists(hooks);
        }
    }

    private static File agentJar() throws URISyntaxException {
        return new File(AgentMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /**
     * Advice woven into java.* classes resolves its hooks through the bootstrap loader only, so
     * the hook classes must be there, exactly once (a second copy would mean a second set of
     * statics). After a detach the classes are still there and are reused, but only by an agent of
     * the same hooks: one whose hooks differ (another build) is refused, since its advice would
     * call hook methods that the classes in place lack.
     */
    private static void appendBootstrapJar(Instrumentation inst, File agentJar) throws Exception {
        Path extracted = extractBootstrapJar(agentJar);
        boolean appended = false;
        try {
            try (JarFile hooks = new JarFile(extracted.toFile(), false)) {
                String ours = fingerprint(hooks);
                if (bootstrapPresent()) {
                    String installed = installedFingerprint();
                    if (!ours.equals(installed)) {
                        throw new IllegalStateException(mismatchLine(installed, ours));
                    }
                    return;
                }
                extracted.toFile().deleteOnExit();
                inst.appendToBootstrapClassLoaderSearch(hooks); // the JVM opens the jar itself, by name
                appended = true;
                io.jdiag.bootstrap.BootstrapJar.fingerprint = ours; // resolved now, through the boot class path
                System.setProperty(FINGERPRINT_PROPERTY, ours);
            }
        } finally {
            if (!appended) {
                Files.deleteIfExists(extracted);
            }
        }
    }

    private static boolean bootstrapPresent() {
        try {
            Class.forName(BOOTSTRAP_PROBE, false, null);
            return true;
        } catch (ClassNotFoundException expected) {
            return false; // first start in this JVM
        }
    }

    /** @return the fingerprint of the hooks on the bootstrap class path; null when they predate fingerprints */
    private static String installedFingerprint() {
        try {
            return io.jdiag.bootstrap.BootstrapJar.fingerprint;
        } catch (LinkageError olderHooks) {
            return null;
        }
    }

    /** The one line of a refused attach; the CLI shows the same when it sees the mismatch first. */
    static String mismatchLine(String installed, String ours) {
        return "jdiag: this JVM holds the bootstrap hooks of another jdiag build (hooks "
                + (installed == null ? "of an older build" : installed) + ", this agent jar's " + ours
                + "); they stay on its boot class path until it exits, so only an agent jar of that build can attach"
                + " again: use that jar, or restart the JVM to use this one";
    }

    /**
     * For {@code jdiag attach}: the fingerprint of this agent jar's bootstrap hooks, which the CLI
     * compares with {@value #FINGERPRINT_PROPERTY} of the target. Called reflectively.
     */
    public static String bootstrapFingerprint() throws Exception {
        Path hooks = extractBootstrapJar(agentJar());
        try {
            return fingerprint(hooks);
        } finally {
            Files.deleteIfExists(hooks);
        }
    }

    /**
     * Names, sizes and CRCs of the class files of a bootstrap jar, read from its directory (no
     * class is inflated): equal for two builds of the same hooks, different when a hook changed.
     */
    static String fingerprint(Path bootstrapJar) throws IOException {
        try (JarFile jar = new JarFile(bootstrapJar.toFile(), false)) {
            return fingerprint(jar);
        }
    }

    private static String fingerprint(JarFile jar) {
        // Runs in premain: no string concatenation (its first use bootstraps invokedynamic, ~20 ms)
        java.util.TreeMap<String, long[]> classes = new java.util.TreeMap<>();
        for (java.util.Enumeration<java.util.jar.JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            java.util.jar.JarEntry entry = e.nextElement();
            if (entry.getName().endsWith(".class")) {
                classes.put(entry.getName(), new long[] {entry.getSize(), entry.getCrc()});
            }
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        java.nio.ByteBuffer numbers = java.nio.ByteBuffer.allocate(16);
        for (java.util.Map.Entry<String, long[]> c : classes.entrySet()) {
            crc.update(c.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            numbers.clear();
            numbers.putLong(c.getValue()[0]).putLong(c.getValue()[1]);
            crc.update(numbers.array(), 0, 16);
        }
        return new StringBuilder().append(classes.size()).append('-').append(Long.toHexString(crc.getValue())).toString();
    }

    private static Path extractBootstrapJar(File agentJar) throws Exception {
        Path extracted = Files.createTempFile("jdiag-bootstrap-", ".jar");
        try (JarFile jar = new JarFile(agentJar, false);
             InputStream in = jar.getInputStream(jar.getEntry(BOOTSTRAP_JAR))) {
            Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
        }
        return extracted;
    }
}
