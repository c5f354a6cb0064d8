package io.jdiag.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import org.junit.jupiter.api.Test;

/**
 * The packaged agent jar hides everything from the application: at its root only the two classes
 * the JVM must load from the system class loader and the bootstrap hooks jar; everything else,
 * our code and every relocated library, under {@code inst/} as {@code .classdata}.
 */
class JarContentsIT {
    private static final File JAR = new File(System.getProperty("jdiag.agent.jar", "target/jdiag-agent.jar"));

    @Test
    void onlyTheEntryPointIsVisibleAndEveryLibraryIsRelocated() throws Exception {
        List<String> root = new ArrayList<>();
        List<String> hidden = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR)) {
            for (JarEntry e : Collections.list(jar.entries())) {
                if (e.isDirectory()) {
                    continue;
                }
                (e.getName().startsWith("inst/") ? hidden : root).add(e.getName());
            }
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Premain-Class")).isEqualTo("io.jdiag.agent.AgentMain");
            assertThat(manifest.getValue("Agent-Class")).isEqualTo("io.jdiag.agent.AgentMain");
            assertThat(manifest.getValue("Can-Retransform-Classes")).isEqualTo("true");
            assertThat(manifest.getValue("Can-Redefine-Classes")).isEqualTo("true");
        }
        assertThat(root).containsExactlyInAnyOrder("META-INF/MANIFEST.MF", "jdiag-bootstrap.jar",
                "io/jdiag/agent/AgentMain.class", "io/jdiag/agent/AgentClassLoader.class");
        assertThat(hidden).noneMatch(n -> n.endsWith(".class"));
        assertThat(hidden.stream().filter(n -> n.endsWith(".classdata")))
                .allMatch(n -> n.startsWith("inst/io/jdiag/agent/") || n.startsWith("inst/io/jdiag/shaded/"))
                .anyMatch(n -> n.startsWith("inst/io/jdiag/shaded/bytebuddy/"))
                .anyMatch(n -> n.startsWith("inst/io/jdiag/shaded/jctools/"))
                .anyMatch(n -> n.startsWith("inst/io/jdiag/shaded/hdrhistogram/"))
                .anyMatch(n -> n.startsWith("inst/io/jdiag/shaded/prometheus/"))
                .anyMatch(n -> n.startsWith("inst/io/jdiag/shaded/jackson/"));
        assertThat(hidden).contains("inst/META-INF/services/io.jdiag.agent.core.Detector");
    }

    @Test
    void theBootstrapJarHoldsOnlyJdkOnlyHooks() throws Exception {
        List<String> classes = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR);
             JarInputStream in = new JarInputStream(jar.getInputStream(jar.getEntry("jdiag-bootstrap.jar")))) {
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                if (e.getName().endsWith(".class")) {
                    classes.add(e.getName());
                }
            }
        }
        assertThat(classes).isNotEmpty().allMatch(n -> n.startsWith("io/jdiag/bootstrap/"));
    }

    /**
     * The shade plugin rewrites string constants that start with a relocated package, not only class
     * references: a matcher naming {@code com.fasterxml.jackson.databind.ObjectMapper} would silently
     * match nothing if {@code com.fasterxml.jackson} were relocated as a whole. So shading must leave
     * every string constant of jdiag's own classes exactly as compiled.
     */
    @Test
    void shadingRewroteNoStringConstantOfTheAgentsOwnClasses() throws Exception {
        File classes = new File(System.getProperty("jdiag.agent.classes", "target/classes"));
        int compared = 0;
        List<String> rewritten = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR)) {
            for (JarEntry e : Collections.list(jar.entries())) {
                String name = e.getName();
                if (!name.startsWith("inst/io/jdiag/agent/") || !name.endsWith(".classdata")) {
                    continue;
                }
                File original = new File(classes, name.substring("inst/".length(), name.length() - "data".length()));
                if (!original.isFile()) {
                    continue;
                }
                java.util.Set<String> shaded;
                try (java.io.InputStream in = jar.getInputStream(e)) {
                    shaded = stringConstants(in.readAllBytes());
                }
                java.util.Set<String> compiled = stringConstants(java.nio.file.Files.readAllBytes(original.toPath()));
                if (!shaded.equals(compiled)) {
                    java.util.Set<String> changed = new java.util.TreeSet<>(compiled);
                    changed.removeAll(shaded);
                    rewritten.add(name + ": " + changed);
                }
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(50);
        assertThat(rewritten).as("string constants the shade plugin rewrote").isEmpty();
    }

    /** No class in the jar names a package under io.jdiag.shaded that the jar does not hold. */
    @Test
    void noConstantNamesARelocatedPackageThatIsNotBundled() throws Exception {
        java.util.Set<String> packages = new java.util.HashSet<>();
        java.util.Map<String, java.util.Set<String>> constants = new java.util.HashMap<>();
        try (JarFile jar = new JarFile(JAR)) {
            for (JarEntry e : Collections.list(jar.entries())) {
                if (e.getName().endsWith(".classdata")) {
                    String cls = e.getName().substring("inst/".length());
                    packages.add(cls.substring(0, cls.lastIndexOf('/')).replace('/', '.'));
                    try (java.io.InputStream in = jar.getInputStream(e)) {
                        constants.put(e.getName(), stringConstants(in.readAllBytes()));
                    }
                }
            }
        }
        java.util.regex.Pattern relocated = java.util.regex.Pattern.compile("io[./]jdiag[./]shaded[./][\\w./$]*");
        List<String> dangling = new ArrayList<>();
        constants.forEach((cls, strings) -> {
            for (String s : strings) {
                java.util.regex.Matcher m = relocated.matcher(s);
                while (m.find()) {
                    String named = m.group().replace('/', '.');
                    boolean bundled = packages.stream().anyMatch(p -> named.startsWith(p + ".") || named.equals(p)
                            || p.startsWith(named.endsWith(".") ? named : named + "."));
                    if (!bundled) {
                        dangling.add(cls + ": " + s);
                    }
                }
            }
        });
        assertThat(dangling).isEmpty();
    }

    /** Every string constant of a class file: ldc operands, constant field values, annotation values. */
    static java.util.Set<String> stringConstants(byte[] classFile) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        net.bytebuddy.jar.asm.ClassReader reader = new net.bytebuddy.jar.asm.ClassReader(classFile);
        char[] buffer = new char[reader.getMaxStringLength()];
        for (int i = 1; i < reader.getItemCount(); i++) {
            int offset = reader.getItem(i);
            if (offset > 0 && classFile[offset - 1] == 8) { // CONSTANT_String: its UTF-8 is the value
                out.add(reader.readUTF8(offset, buffer));
            }
        }
        return out;
    }
}
