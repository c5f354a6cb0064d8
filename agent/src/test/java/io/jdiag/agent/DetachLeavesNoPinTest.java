package io.jdiag.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a detach must leave collectable, checked on the compiled classes; {@code DetachIT} proves it
 * in a real JVM with a class histogram.
 */
class DetachLeavesNoPinTest {
    /**
     * A {@link ClassValue} entry is attached to the class it is computed for (a container's pool, a
     * stream class of the JDK) and lives as long as that class. A value of an agent type there holds
     * the agent class loader after a detach, so every {@code ClassValue} of the agent holds JDK types.
     */
    @Test
    void everyClassValueOfTheAgentHoldsJdkTypesOnly() throws Exception {
        Path classes = new File(System.getProperty("jdiag.agent.classes", "target/classes")).toPath();
        List<String> found = new ArrayList<>();
        List<String> offending = new ArrayList<>();
        byte[] marker = "java/lang/ClassValue".getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(classes.resolve("io/jdiag/agent"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                if (indexOf(Files.readAllBytes(f), marker) < 0) {
                    continue;
                }
                String name = classes.relativize(f).toString().replace(File.separatorChar, '.');
                Class<?> c = Class.forName(name.substring(0, name.length() - ".class".length()), false,
                        getClass().getClassLoader());
                if (c.getSuperclass() != ClassValue.class) {
                    continue;
                }
                Type value = ((ParameterizedType) c.getGenericSuperclass()).getActualTypeArguments()[0];
                found.add(c.getName() + " -> " + value.getTypeName());
                if (!value.getTypeName().startsWith("java.")) {
                    offending.add(c.getName() + " holds " + value.getTypeName());
                }
            }
        }
        assertThat(found).as("the scan saw the agent's ClassValues").hasSizeGreaterThan(3);
        assertThat(offending).isEmpty();
    }

    @Test
    void theBootstrapFingerprintFollowsTheHooksNotTheJarFile(@TempDir Path dir) throws IOException {
        Path a = jar(dir.resolve("a.jar"), 1000L, "io/jdiag/bootstrap/Hooks.class", "v1");
        Path sameHooksLater = jar(dir.resolve("b.jar"), 99_000_000L, "io/jdiag/bootstrap/Hooks.class", "v1");
        Path changedHook = jar(dir.resolve("c.jar"), 1000L, "io/jdiag/bootstrap/Hooks.class", "v2");
        Path addedHook = jar(dir.resolve("d.jar"), 1000L, "io/jdiag/bootstrap/Hooks.class", "v1",
                "io/jdiag/bootstrap/More.class", "v1");

        String fingerprint = AgentMain.fingerprint(a);
        assertThat(fingerprint).matches("1-[0-9a-f]+");
        assertThat(AgentMain.fingerprint(sameHooksLater)).as("rebuilt, same classes").isEqualTo(fingerprint);
        assertThat(AgentMain.fingerprint(changedHook)).isNotEqualTo(fingerprint);
        assertThat(AgentMain.fingerprint(addedHook)).isNotEqualTo(fingerprint);
    }

    private static Path jar(Path path, long time, String... namesAndContents) throws IOException {
        try (OutputStream out = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                JarEntry e = new JarEntry(namesAndContents[i]);
                e.setTime(time);
                jar.putNextEntry(e);
                jar.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return path;
    }

    private static int indexOf(byte[] data, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= data.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (data[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
