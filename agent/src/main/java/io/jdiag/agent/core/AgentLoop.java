package io.jdiag.agent.core;

import io.jdiag.bootstrap.AgentThread;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent's own thread: drains the event pipeline and runs periodic detector work (reference
 * queues, scans). Everything expensive that a detector does happens here, not on the application
 * thread that caused it.
 */
final class AgentLoop implements Runnable {
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final class Periodic {
        final long intervalNanos;
        final Runnable task;
        long nextRun;

        Periodic(long intervalNanos, Runnable task, long now) {
            this.intervalNanos = intervalNanos;
            this.task = task;
            this.nextRun = now + intervalNanos;
        }
    }

    private final EventPipeline events;
    private final List<Periodic> periodic = new CopyOnWriteArrayList<>();
    private final AgentThread thread;
    private volatile boolean running = true;

    AgentLoop(EventPipeline events) {
        this.events = events;
        this.thread = new AgentThread(this, "jdiag-agent");
    }

    void start() {
        thread.start();
    }

    /** @return a handle for {@link #cancel} */
    Object every(long intervalMillis, Runnable task) {
        Periodic p = new Periodic(TimeUnit.MILLISECONDS.toNanos(Math.max(1, intervalMillis)), task, System.nanoTime());
        periodic.add(p);
        return p;
    }

    /** Stops a task {@link #every} scheduled; a pass already running finishes. */
    void cancel(Object handle) {
        periodic.remove(handle);
    }

    /** Runs {@code task} once on the agent thread, soon. */
    void soon(Runnable task) {
        Periodic[] self = new Periodic[1];
        self[0] = new Periodic(0, () -> {
            periodic.remove(self[0]);
            task.run();
        }, System.nanoTime());
        periodic.add(self[0]);
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        while (running) {
            int handled = events.drain(4096);
            long now = System.nanoTime();
            for (Periodic p : periodic) {
                if (now - p.nextRun >= 0) {
                    p.nextRun = now + p.intervalNanos;
                    try {
                        p.task.run();
                    } catch (Throwable t) {
                        Log.once("periodic:" + p.task.getClass().getName(),
                                "jdiag: periodic task " + p.task.getClass().getName() + " failed: " + t);
                    }
                }
            }
            if (handled == 0) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
    }

    /** Stops the thread, waiting up to 5 s for the current pass to finish. */
    void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
