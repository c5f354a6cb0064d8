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
        try {
            return new TargetJvm(pid, VirtualMachine.attach(Long.toString(pid)));
        } catch (AttachNotSupportedException | IOException | RuntimeException e) {
            throw AttachFailures.attach(pid, e);
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
        } catch (AgentInitializationException | AgentLoadException e) {
            String agentLines = null;
            try {
                agentLines = vm.getSystemProperties().getProperty(AgentState.PROP_ATTACH_ERROR);
            } catch (IOException | RuntimeException ignored) {
                // fall through to the generic mapping
            }
            if (agentLines != null && !agentLines.isEmpty()) {
                throw new CliException(agentLines, e);
            }
            throw AttachFailures.load(pid, agentJar, e);
        } catch (IOException e) {
            throw AttachFailures.load(pid, agentJar, e);
        }
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
