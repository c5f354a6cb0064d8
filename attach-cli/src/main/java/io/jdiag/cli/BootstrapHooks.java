package io.jdiag.cli;

import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * The agent's bootstrap hooks stay on a JVM's boot class path from the first attach until it exits.
 * An agent jar of another build (other hooks) cannot attach to that JVM again: its advice would call
 * hook methods the classes in place lack. The CLI compares fingerprints before it loads the jar, so
 * the user gets one line instead of a refusal from inside the target (which the agent also makes).
 */
final class BootstrapHooks {
    private static final String AGENT_MAIN = "io.jdiag.agent.AgentMain";
    /** In the agent's refusal line and in the CLI's. */
    static final String MISMATCH = "holds the bootstrap hooks of another jdiag build";

    private BootstrapHooks() {
    }

    /** The fingerprint of the hooks inside {@code agentJar}, computed by the agent jar's own code. */
    static String fingerprint(Path agentJar) {
        URL url;
        try {
            url = agentJar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new CliException("jdiag: cannot use the agent jar path " + agentJar + " (" + e.getMessage() + ")", e);
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {url}, ClassLoader.getPlatformClassLoader())) {
            return (String) Class.forName(AGENT_MAIN, true, loader).getMethod("bootstrapFingerprint").invoke(null);
        } catch (InvocationTargetException e) {
            throw new CliException("jdiag: cannot read the bootstrap hooks of the agent jar " + agentJar + " ("
                    + e.getCause() + "); rebuild it with `make build`", e.getCause());
        } catch (ReflectiveOperationException | LinkageError | ClassCastException | java.io.IOException e) {
            // an agent jar from before fingerprints: it differs from the hooks in place, which have one
            return "none (an older agent jar)";
        }
    }

    /** {@link #fingerprint} computed on a daemon thread, so that it can run beside the attach. */
    static final class Fingerprint implements java.util.concurrent.Callable<String> {
        private final Path agentJar;
        private final java.util.concurrent.FutureTask<String> task = new java.util.concurrent.FutureTask<>(this);

        private Fingerprint(Path agentJar) {
            this.agentJar = agentJar;
        }

        static Fingerprint start(Path agentJar) {
            Fingerprint f = new Fingerprint(agentJar);
            Thread thread = new Thread(f.task, "jdiag-hooks-fingerprint");
            thread.setDaemon(true);
            thread.start();
            return f;
        }

        @Override
        public String call() {
            return fingerprint(agentJar);
        }

        /** The fingerprint, or the {@link CliException} that {@link #fingerprint} threw. */
        String await() {
            try {
                return task.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException) {
                    throw (RuntimeException) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("jdiag: interrupted", e);
            }
        }

        void awaitQuietly() {
            try {
                task.get();
            } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
                // only its result was of interest, and that was not needed or already reported
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Worded as the agent's own refusal line ({@code AgentMain.mismatchLine}). */
    static String mismatchLine(long pid, String installed, String ours) {
        return "jdiag: JVM " + pid + " " + MISMATCH + " (hooks " + installed
                + ", this agent jar's " + ours + "); they stay on its boot class path until it exits, so only an agent"
                + " jar of that build can attach again: use that jar, or restart the JVM to use this one";
    }
}
