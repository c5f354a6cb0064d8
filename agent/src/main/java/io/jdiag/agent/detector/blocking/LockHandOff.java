package io.jdiag.agent.detector.blocking;

import java.util.Iterator;

/**
 * Whether a park on a loop is the JDK's own short lock hand-off: a {@code ReentrantLock} (or
 * read-write lock) taken inside a {@code java.util.concurrent} structure's non-blocking operation, as
 * {@code ThreadPoolExecutor.execute} does through {@code LinkedBlockingQueue.offer}. Those critical
 * sections never wait for anything, so the lock is only ever held for microseconds; a park there
 * of several milliseconds means the holder was descheduled on a busy host, not that the loop's code
 * blocks. Offloading to an executor is the remedy the detector recommends, so reporting it would be
 * a false positive (BlockHound reports these; its users allow-list them one by one).
 *
 * <p>A wait on a condition ({@code take} of an empty queue, {@code put} into a full one) passes
 * through {@code ConditionObject} and is not a hand-off; nor is a lock the application takes itself.
 * Called on the loop thread only for a park that already lasted {@link BlockingAnalyzer#MIN_PARK_NANOS}
 * or more, so the stack walk costs nothing the loop would notice.
 */
final class LockHandOff {
    private static final String LOCKS = "java.util.concurrent.locks.";
    private static final String LOCK_SUPPORT = LOCKS + "LockSupport.";
    /** Deep enough for the agent's frames, the lock's and the caller's; a stack is never walked further. */
    private static final int MAX_FRAMES = 24;
    private static final StackWalker WALKER = StackWalker.getInstance();

    private LockHandOff() {
    }

    /** The current thread is in a park that is a JDK lock hand-off. */
    static boolean current() {
        return WALKER.walk(frames -> isHandOff(frames.limit(MAX_FRAMES)
                .map(f -> f.getClassName() + '.' + f.getMethodName()).iterator()));
    }

    /**
     * @param methods {@code Class.method} of a stack's frames, innermost first: the park, the lock's
     *                frames, then the code that took the lock
     */
    static boolean isHandOff(Iterator<String> methods) {
        while (methods.hasNext()) {
            if (methods.next().startsWith(LOCK_SUPPORT)) {
                return tookAJdkLock(methods);
            }
        }
        return false;
    }

    /** @param callers the frames below the park: a lock's, then the first that is not the locks package */
    private static boolean tookAJdkLock(Iterator<String> callers) {
        boolean lock = false;
        while (callers.hasNext()) {
            String m = callers.next();
            if (!m.startsWith(LOCKS)) {
                return lock && m.startsWith("java.util.concurrent.");
            }
            if (m.contains("$ConditionObject.")) {
                return false;
            }
            lock |= takesALock(m);
        }
        return false;
    }

    private static boolean takesALock(String m) {
        if (!m.startsWith(LOCKS + "ReentrantLock") && !m.startsWith(LOCKS + "ReentrantReadWriteLock")) {
            return false;
        }
        String method = m.substring(m.lastIndexOf('.') + 1);
        return method.startsWith("lock") || method.startsWith("tryLock");
    }
}
