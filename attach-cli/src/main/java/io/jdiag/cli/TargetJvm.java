package io.jdiag.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * One attach-API connection to a target JVM, with every failure turned into the one {@code jdiag:}
 * line that says what to do ({@link AttachFailures}).
 */
final class TargetJvm implements AutoCloseable {
    private final long pid;
    private final VirtualMachine vm;

    private TargetJvm(long pid, VirtualMachine vm) {
        this.pid = pid;
        this.vm = vm;
    }

    /**
     * Connects to {@code pid}.
     *
     * @throws CliException no such process, not a JVM, attach refused or timed out
     */
    static TargetJvm attach(long pid) {
        AttachFailures.checkProcess(pid);
        Debug.step("process checked");
        AttachWaker waker = AttachWaker.start(pid);
        try {
            return new TargetJvm(pid, VirtualMachine.attach(Long.toString(pid)));
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            throw AttachFailures.attach(pid, e);
        } finally {
            if (waker != null) {
                waker.close();
            }
        }
    }

    long pid() {
        return pid;
    }

    Properties systemProperties() {
        try {
            return vm.getSystemProperties();
        } catch (IOException e) {
            throw AttachFailures.lost(pid, "reading its system properties", e);
        }
    }

    /** What the target's system properties say about a jdiag agent in it. */
    AgentState agentState() {
        return AgentState.of(systemProperties());
    }

    /**
     * Loads the agent jar with {@code args}; a failure in the agent's own start (bad configuration,
     * port taken) comes back as the agent's {@code jdiag:} line(s), read from the target.
     */
    void loadAgent(Path agentJar, String args) {
        try {
            vm.loadAgent(agentJar.toString(), args);
        } catch (AgentInitializationException e) {
            // agentmain ran and threw (JDK 17 and 25 alike). The agent cleared the property when it
            // started, so what is there now is from this attempt.
            String agentLines = null;
            try {
                agentLines = attachError();
            } catch (CliException ignored) {
                // the JVM went away; the generic line below says so
            }
            if (agentLines != null) {
                throw refused(agentLines, e);
            }
            throw AttachFailures.load(pid, agentJar, e);
        } catch (AgentLoadException | IOException e) {
            throw AttachFailures.load(pid, agentJar, e);
        }
    }

    /**
     * The agent refused to start (bad setting, port taken) and said why in its own lines. Those
     * lines are worded for {@code -javaagent}, where the agent runs on without the bad setting;
     * on attach nothing was installed, so a last line says that.
     */
    CliException refused(String agentLines, Throwable cause) {
        if (agentLines.contains(BootstrapHooks.MISMATCH)) {
            // not a setting: the agent's one line says what to do
            return new CliException(agentLines.trim(), "agent refused", cause);
        }
        return new CliException(agentLines.trim() + "\njdiag: nothing was attached to " + pid
                + "; fix the settings above and attach again (`jdiag check-config` checks them without touching any JVM)",
                "agent refused", cause);
    }

    /** The agent's lines from a refused attach, if the last attach was refused; else null. */
    String attachError() {
        String lines = systemProperties().getProperty(AgentState.PROP_ATTACH_ERROR);
        return lines == null || lines.isBlank() ? null : lines;
    }

    @Override
    public void close() {
        try {
            vm.detach();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }
}
