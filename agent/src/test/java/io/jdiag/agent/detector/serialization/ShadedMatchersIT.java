package io.jdiag.agent.detector.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The shade plugin rewrites string constants that start with a relocated package. The agent relocates
 * only its own {@code com.fasterxml.jackson.core}; the names of the application's Jackson classes that
 * the serialization detector matches ({@code com.fasterxml.jackson.databind.*}) must come out of the
 * packaged jar unchanged, or the detector would match nothing in a real application while every unit
 * test (on unshaded classes) passed. The end-to-end proof is {@code SerializationIT} in the test service;
 * this looks at the bytes.
 */
class ShadedMatchersIT {
    private static final File JAR = new File(System.getProperty("jdiag.agent.jar", "target/jdiag-agent.jar"));

    @Test
    void jacksonDatabindNamesSurviveTheShading() throws Exception {
        String constants = classData("io/jdiag/agent/detector/serialization/JacksonInstrumentation");
        assertThat(constants).contains("com.fasterxml.jackson.databind.ObjectMapper",
                "com.fasterxml.jackson.databind.ObjectWriter", "com.fasterxml.jackson.databind.ObjectReader");
        assertThat(constants).doesNotContain("io.jdiag.shaded.jackson.databind");
        assertThat(classData("io/jdiag/agent/detector/serialization/SerializationDetector"))
                .contains("com.fasterxml.jackson.").contains("com.google.gson.");
    }

    /** The class file of {@code name} as Latin-1 text: its constant pool's strings are readable in it. */
    private static String classData(String name) throws Exception {
        try (JarFile jar = new JarFile(JAR);
             InputStream in = jar.getInputStream(jar.getEntry("inst/" + name + ".classdata"))) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
