package io.jdiag.agent.detector.blocking;

import io.jdiag.bootstrap.BlockingHooks;
import net.bytebuddy.asm.Advice;

/**
 * The advice shared by the instrumentations whose targets need nothing but the call's name: the same
 * three lines woven into {@code Thread.sleep}, {@code Object.wait}, socket and channel I/O. One copy
 * here instead of one per target type; each instrumentation names the one it applies.
 */
public final class BlockingAdvice {
    private BlockingAdvice() {}

    /** A method that always blocks. */
    public static class AlwaysAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BlockingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object loop, @Advice.Origin("#t.#m") String call) {
            BlockingHooks.exit(loop, call);
        }
    }

    /** A method that blocks only when it parks: a future's get, a latch's await, a semaphore's acquire. */
    public static class WaitAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BlockingHooks.enterWait();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object loop, @Advice.Origin("#t.#m") String call) {
            BlockingHooks.exit(loop, call);
        }
    }

    /** A loop's wait for work starts and ends (selector, epoll, an executor's task queue). */
    public static class IdleAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            BlockingHooks.idleEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit() {
            BlockingHooks.idleExit();
        }
    }
}
