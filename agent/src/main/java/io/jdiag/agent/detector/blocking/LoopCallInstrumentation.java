package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.core.TypeInstrumentation;

/**
 * An instrumentation of calls that matter only on a loop thread: the JDK's blocking calls and the
 * loops' idle waits. Woven once the first loop thread is registered (the detector then calls
 * {@code weaveDeferred}), not at install: an application without an event loop (a servlet
 * container, a batch job) never pays for weaving {@code Object}, {@code Thread}, the file streams
 * and the rest, at start-up or on attach. What a loop does before the weaving ends (a few hundred
 * milliseconds after its first task round) only the stall watchdog sees.
 */
abstract class LoopCallInstrumentation implements TypeInstrumentation {
    @Override
    public final boolean deferred() {
        return true;
    }
}
