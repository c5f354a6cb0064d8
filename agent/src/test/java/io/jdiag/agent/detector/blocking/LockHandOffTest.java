package io.jdiag.agent.detector.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which parks are the JDK's own lock hand-off, judged on the real stacks of threads parked in each
 * situation: the stack a loop has when its advice on {@code LockSupport.park} reports.
 */
class LockHandOffTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private Thread parked;

    @AfterEach
    void unblock() throws Exception {
        release.countDown();
        if (parked != null) {
            parked.interrupt();
            parked.join(5000);
        }
    }

    @Test
    void anExecutorsQueueLockHeldByAnotherThreadIsAHandOff() throws Exception {
        LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, queue);
        try {
            pool.execute(this::awaitRelease); // the worker is busy: the next task is queued
            holdTheQueuesLocks(queue);
            assertThat(isHandOff(parkedIn(() -> pool.execute(() -> { }))))
                    .as("ThreadPoolExecutor.execute → LinkedBlockingQueue.offer → ReentrantLock.lock").isTrue();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void takingFromAnEmptyQueueIsNoHandOff() throws Exception {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        assertThat(isHandOff(parkedIn(() -> queue.take()))).as("a wait on a condition").isFalse();
    }

    @Test
    void putIntoAFullQueueIsNoHandOff() throws Exception {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(1);
        queue.put("full");
        assertThat(isHandOff(parkedIn(() -> queue.put("more")))).isFalse();
    }

    @Test
    void aLockTheApplicationTakesIsNoHandOff() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Thread holder = new Thread(() -> {
            lock.lock();
            try {
                awaitRelease();
            } finally {
                lock.unlock();
            }
        });
        holder.start();
        while (!lock.isLocked()) {
            Thread.sleep(1);
        }
        assertThat(isHandOff(parkedIn(lock::lock))).isFalse();
        release.countDown();
        holder.join(5000);
    }

    @Test
    void aFuturesGetIsNoHandOff() throws Exception {
        FutureTask<String> never = new FutureTask<>(() -> "never run");
        assertThat(isHandOff(parkedIn(never::get))).isFalse();
    }

    @Test
    void aStackWithNoParkIsNoHandOff() {
        assertThat(LockHandOff.current()).isFalse();
        assertThat(LockHandOff.isHandOff(Arrays.asList("java.util.concurrent.locks.ReentrantLock.lock",
                "java.util.concurrent.LinkedBlockingQueue.offer").iterator())).isFalse();
        assertThat(LockHandOff.isHandOff(Arrays.asList("java.util.concurrent.locks.LockSupport.park",
                "java.util.concurrent.locks.ReentrantLock.lock").iterator())).as("the stack ends in the lock").isFalse();
    }

    private interface Blocking {
        void run() throws Exception;
    }

    /** Starts {@code call} on a thread and returns that thread's stack once it has parked. */
    private StackTraceElement[] parkedIn(Blocking call) throws Exception {
        parked = new Thread(() -> {
            try {
                call.run();
            } catch (Exception e) {
                // interrupted at the end of the test
            }
        }, "parks");
        parked.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            StackTraceElement[] stack = parked.getStackTrace();
            if (parked.getState() == Thread.State.WAITING && stack.length > 0
                    && Arrays.stream(stack).anyMatch(e -> e.getClassName().equals("java.util.concurrent.locks.LockSupport"))) {
                return stack;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the thread never parked: " + Arrays.toString(parked.getStackTrace()));
    }

    private static boolean isHandOff(StackTraceElement[] stack) {
        return LockHandOff.isHandOff(Arrays.stream(stack).map(e -> e.getClassName() + '.' + e.getMethodName())
                .collect(Collectors.toList()).iterator());
    }

    /**
     * {@code LinkedBlockingQueue.contains} holds both of the queue's locks while it compares its
     * argument with each element: an argument whose {@code equals} waits keeps them held.
     */
    private void holdTheQueuesLocks(LinkedBlockingQueue<Runnable> queue) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        queue.offer(() -> { });
        Object waitsInEquals = new Object() {
            @Override
            public boolean equals(Object other) {
                holding.countDown();
                awaitRelease();
                return false;
            }

            @Override
            public int hashCode() {
                return 0;
            }
        };
        Thread holder = new Thread(() -> queue.contains(waitsInEquals), "holds-queue-lock");
        holder.setDaemon(true);
        holder.start();
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
