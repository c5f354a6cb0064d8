package io.jdiag.cli;

import java.net.URI;

/** Finds the agent in a target by pid alone, through the system properties it publishes. */
final class AgentLookup {
    /** A premain agent binds its endpoint on its own thread, within about a second of JVM start. */
    private static final long ENDPOINT_WAIT_MILLIS = 3_000;

    private AgentLookup() {}

    /**
     * @return the agent's state in {@code pid}
     * @throws CliException if the process can't be attached to, or runs no jdiag agent
     */
    static AgentState require(long pid) {
        Jdk.requireAttachApi();
        try (TargetJvm target = TargetJvm.attach(pid)) {
            AgentState state = target.agentState();
            long deadline = System.nanoTime() + ENDPOINT_WAIT_MILLIS * 1_000_000;
            while (state.attached() && state.endpoint == null && System.nanoTime() < deadline) {
                sleep(100);
                state = target.agentState();
            }
            if (!state.attached()) {
                throw notAttached(pid);
            }
            return state;
        }
    }

    static CliException notAttached(long pid) {
        return new CliException("jdiag: jdiag is not attached to " + pid + "; attach it first with `jdiag attach " + pid
                + " [key=value...]`");
    }

    /** The endpoint URL to connect to, or a line saying why there is none. */
    static URI requireEndpoint(long pid, AgentState state) {
        if (state.endpointOff()) {
            throw new CliException("jdiag: the agent in " + pid + " runs without an endpoint (http.port=off or its port was"
                    + " taken); `jdiag detach " + pid + "` then `jdiag attach " + pid + " http.port=0` to get one");
        }
        if (state.endpoint == null) {
            throw new CliException("jdiag: the agent in " + pid + " has not published its endpoint yet; try again in a few seconds");
        }
        try {
            return state.endpointUri();
        } catch (IllegalArgumentException e) {
            throw new CliException("jdiag: the agent in " + pid + " published an unusable endpoint '" + state.endpoint + "'", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("jdiag: interrupted", e);
        }
    }
}
