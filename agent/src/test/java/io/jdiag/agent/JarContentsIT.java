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
}
