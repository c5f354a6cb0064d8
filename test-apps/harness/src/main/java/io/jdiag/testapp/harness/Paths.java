package io.jdiag.testapp.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locations of the artifacts the forked-JVM integration tests need.
 *
 * <p>Each can be overridden with a system property (failsafe sets the jar properties in the module's
 * pom; {@code -D...} on the Maven command line is passed through as well). Relative values are resolved
 * against the module directory, so the tests work whatever the working directory is.
 *
 * <p>(Named after the brief; it shadows {@link java.nio.file.Paths}, which is not needed here since
 * {@link Path#of} replaces it.)
 */
public final class Paths {

    /** Fat jar of the test app under test, set by each module's failsafe configuration. Default: {@code target/jdiag-test-service.jar}. */
    public static final String SERVICE_JAR_PROPERTY = "jdiag.service.jar";
    /** The agent jar. Default: {@code ../../agent/target/jdiag-agent.jar}. */
    public static final String AGENT_JAR_PROPERTY = "jdiag.agent.jar";
    /**
     * JDK home used to run the service (and its {@code jcmd}), e.g. a JDK 25 to test the agent on a
     * newer runtime than the one running the tests. Default: the JDK running the tests.
     */
    public static final String JAVA_HOME_PROPERTY = "jdiag.test.java.home";

    private Paths() {
    }

    /** The directory of the module whose tests run (failsafe's working directory). */
    public static Path moduleDir() {
        // Surefire/failsafe set "basedir"; fall back to the working directory (also the module dir
        // when run from Maven or an IDE with default settings).
        String basedir = System.getProperty("basedir");
        return Path.of(basedir != null ? basedir : System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    public static Path serviceJar() {
        return fromProperty(SERVICE_JAR_PROPERTY, "target/jdiag-test-service.jar");
    }

    public static Path agentJar() {
        return fromProperty(AGENT_JAR_PROPERTY, "../../agent/target/jdiag-agent.jar");
    }

    /** JDK home for the forked service: {@value #JAVA_HOME_PROPERTY} if set, else {@code java.home}. */
    public static Path javaHome() {
        String override = System.getProperty(JAVA_HOME_PROPERTY);
        String home = override != null && !override.isBlank() ? override : System.getProperty("java.home");
        return moduleDir().resolve(home).toAbsolutePath().normalize();
    }

    /** Returns {@code file} if it is a regular file, else fails with a hint on how to build it. */
    public static Path requireFile(Path file, String howToBuild) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing " + file + " (" + howToBuild + ")");
        }
        return file;
    }

    private static Path fromProperty(String property, String defaultRelativeToModule) {
        String value = System.getProperty(property);
        String path = value != null && !value.isBlank() ? value : defaultRelativeToModule;
        return moduleDir().resolve(path).toAbsolutePath().normalize();
    }
}
