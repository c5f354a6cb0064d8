package io.jdiag.bootstrap;

/**
 * A thread owned by the agent. Hooks ignore everything such a thread does, so the agent's own
 * files, sockets and HTTP endpoint never show up as findings, and a hook can never recurse into
 * the agent through the agent's own work.
 */
public class AgentThread extends Thread {
    public AgentThread(Runnable task, String name) {
        super(null, task, name);
        setDaemon(true);
    }

    /** One {@code instanceof} check: cheap enough for every hook. */
    public static boolean isAgentThread() {
        return Thread.currentThread() instanceof AgentThread;
    }
}
