package io.jdiag.cli;

/** Facts about the Java runtime the CLI itself runs on. */
final class Jdk {
    private Jdk() {}

    /**
     * Fails with a clear line unless this runtime has the attach API (module {@code jdk.attach}):
     * a JRE does not. Call before touching any {@code com.sun.tools.attach} class.
     */
    static void requireAttachApi() {
        if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
            throw new CliException(noAttachApiLine());
        }
    }

    static String noAttachApiLine() {
        return "jdiag: the Java runtime at " + System.getProperty("java.home")
                + " has no attach API (module jdk.attach, e.g. a JRE); set JAVA_HOME to a JDK";
    }
}
