package io.jdiag.agent.core;

import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * Hands events from application threads to the one agent thread. Bounded: when full, the event
 * is dropped and counted ({@code jdiag_agent_events_dropped_total}), and the application thread
 * goes on. Offer is lock-free and allocates nothing beyond the event the caller made.
 */
public final class EventPipeline {
    /** Work done on the agent thread. Implementations must not throw; if one does it is counted and logged once. */
    public interface AgentEvent {
        void handle();
    }

    // The atomic (field-updater) variant: the Unsafe-based one makes JDK 24+ print deprecation
    // warnings into the application's stderr, for no gain at this queue's rates.
    private final MpscAtomicArrayQueue<AgentEvent> queue;
    private final LongAdder dropped = new LongAdder();

    public EventPipeline(int capacity) {
        this.queue = new MpscAtomicArrayQueue<>(Math.max(2, capacity));
    }

    /** From any thread. @return false when the event was dropped. */
    public boolean offer(AgentEvent event) {
        if (queue.offer(event)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** From the agent thread only. @return how many events were handled. */
    public int drain(int limit) {
        return queue.drain(e -> {
            try {
                e.handle();
            } catch (Throwable t) {
                Log.once("event:" + e.getClass().getName(), "jdiag: event handler " + e.getClass().getName() + " failed: " + t);
            }
        }, limit);
    }

    public long dropped() {
        return dropped.sum();
    }

    public int size() {
        return queue.size();
    }
}
