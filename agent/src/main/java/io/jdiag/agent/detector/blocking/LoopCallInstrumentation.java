package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.core.TypeInstrumentation;

/**
 * An instrumentation of calls that matter only on a loop thread: the JDK's blocking calls and the
 * loops' idle waits. Deferred: woven once an event-loop framework is there (Netty's executor class
 * is woven: at install when it is loaded already, else right after it loads, when the application
 * builds its loops and before they run), or at install when {@code blocking.threads} names loops.
 * An application without one (a servlet container, a batch job) never pays for weaving
 * {@code Object}, {@code Thread}, the file streams and the rest, at start-up or on attach.
 */
abstract class LoopCallInstrumentation implements TypeInstrumentation {
    @Override
    public final boolean deferred() {
        return true;
    }
}
