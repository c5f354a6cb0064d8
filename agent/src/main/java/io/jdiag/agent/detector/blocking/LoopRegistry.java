package io.jdiag.agent.detector.blocking;

import io.jdiag.bootstrap.AgentThread;
import io.jdiag.bootstrap.BlockingHooks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Which threads are event loops. Two ways in:
 * <ul>
 *   <li><b>Netty's own loops</b> (also Vert.x's and Reactor Netty's, which are Netty loops): a thread
 *       running a Netty executor's task round asks to be registered ({@link #netty}); it is a loop when
 *       the executor is an I/O event loop by its class ({@code SingleThreadIoEventLoop} in Netty 4.2,
 *       {@code NioEventLoop}/{@code EpollEventLoop}/{@code KQueueEventLoop}/io_uring in 4.1, also
 *       shaded copies), never by its thread's name. {@code DefaultEventLoop} and
 *       {@code DefaultEventExecutor}, the usual offload pools, are not loops.</li>
 *   <li><b>Threads named by {@code blocking.threads}</b>, found by a scan of live threads ({@link #scanNamed}).</li>
 * </ul>
 * The hooks see the loops through a copy-on-write table ({@link BlockingHooks#loops}). Dead threads
 * are dropped by {@link #dropDead}.
 */
final class LoopRegistry {
    /** Bounded: past this many loop threads (a runaway group factory), new ones are not watched. */
    static final int MAX_LOOPS = 4096;
    private static final int MAX_NOT_LOOPS = 10_000;
    private static final String[] IO_LOOP_CLASSES = {
        "io.netty.channel.SingleThreadIoEventLoop", "io.netty.channel.nio.NioEventLoop",
        "io.netty.channel.epoll.EpollEventLoop", "io.netty.channel.kqueue.KQueueEventLoop",
        "io.netty.incubator.channel.uring.IOUringEventLoop", "io.netty.channel.uring.IoUringEventLoop",
    };

    interface Factory {
        LoopState create(Thread thread, String label, Object executor);
    }

    private final LoopLabels labels = new LoopLabels();
    private final Map<Thread, LoopState> loops = new LinkedHashMap<>();
    /** Threads of Netty executors that are no I/O loop: asked once. */
    private final Set<Long> notLoops = ConcurrentHashMap.newKeySet();
    /** Thread id → name when checked against {@code blocking.threads}, so a name is matched once. */
    private final Map<Long, String> namesChecked = new ConcurrentHashMap<>();
    private final Pattern named;
    private final Factory factory;
    private final Consumer<BlockingHooks.Loop[]> publish;
    private volatile List<LoopState> snapshot = Collections.emptyList();

    /**
     * @param named   {@code blocking.threads}, or null
     * @param publish where the table goes ({@link BlockingHooks#loops} in production; a warm-up or test keeps it)
     */
    LoopRegistry(Pattern named, Factory factory, Consumer<BlockingHooks.Loop[]> publish) {
        this.named = named;
        this.factory = factory;
        this.publish = publish;
    }

    /** On a Netty executor's own thread, which is not registered yet. */
    void netty(Object executor) {
        Thread self = Thread.currentThread();
        if (notLoops.contains(self.getId())) {
            return;
        }
        if (!isIoEventLoop(executor.getClass()) || self instanceof AgentThread) {
            if (notLoops.size() < MAX_NOT_LOOPS) {
                notLoops.add(self.getId());
            }
            return;
        }
        register(self, executor);
    }

    /** Whether {@code type} is one of Netty's I/O event loops (or a subclass), shaded or not. */
    static boolean isIoEventLoop(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            String name = c.getName();
            for (String loop : IO_LOOP_CLASSES) {
                if (name.endsWith(loop) && (name.length() == loop.length() || name.charAt(name.length() - loop.length() - 1) == '.')) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Registers {@code thread} as a loop (no-op when it is one already); any thread. */
    synchronized LoopState register(Thread thread, Object executor) {
        LoopState known = loops.get(thread);
        if (known != null || loops.size() >= MAX_LOOPS) {
            return known;
        }
        LoopState state = factory.create(thread, labels.label(thread.getName()), executor);
        loops.put(thread, state);
        republish();
        return state;
    }

    /** Agent thread: registers live threads whose names match {@code blocking.threads}. */
    void scanNamed() {
        if (named == null) {
            return;
        }
        for (Thread t : liveThreads()) {
            String name = t.getName();
            if (name.equals(namesChecked.get(t.getId())) || t instanceof AgentThread) {
                continue;
            }
            namesChecked.put(t.getId(), name);
            if (named.matcher(name).matches()) {
                register(t, null);
            }
        }
    }

    /** Agent thread: forgets loops whose threads ended (a group shut down), and their ids. */
    void dropDead() {
        boolean changed = false;
        synchronized (this) {
            for (java.util.Iterator<Map.Entry<Thread, LoopState>> it = loops.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Thread, LoopState> e = it.next();
                if (!e.getKey().isAlive()) {
                    it.remove();
                    if (e.getValue().probe != null) {
                        e.getValue().probe.stopped = true;
                    }
                    changed = true;
                }
            }
            if (changed) {
                republish();
            }
        }
        if (namesChecked.size() > 2 * MAX_NOT_LOOPS || notLoops.size() >= MAX_NOT_LOOPS) {
            namesChecked.clear(); // ids of ended threads; the live ones are checked again, once
            notLoops.clear();
        }
    }

    /** Forgets a loop at once (its executor refused a probe: shut down). */
    synchronized void drop(LoopState loop) {
        if (loops.remove(loop.thread) != null) {
            republish();
        }
    }

    /** The loops now; any thread. */
    List<LoopState> loops() {
        return snapshot;
    }

    /** Detach: no loops any more. */
    synchronized void clear() {
        for (LoopState l : loops.values()) {
            if (l.probe != null) {
                l.probe.stopped = true;
            }
        }
        loops.clear();
        snapshot = Collections.emptyList();
    }

    private void republish() {
        List<LoopState> all = new ArrayList<>(loops.values());
        snapshot = Collections.unmodifiableList(all);
        publish.accept(table(all));
    }

    /** An open-addressing table by thread id, at most a quarter full, as {@link BlockingHooks} reads it. */
    static BlockingHooks.Loop[] table(List<? extends BlockingHooks.Loop> all) {
        if (all.isEmpty()) {
            return null;
        }
        int size = 16;
        while (size < all.size() * 4) {
            size <<= 1;
        }
        BlockingHooks.Loop[] table = new BlockingHooks.Loop[size];
        int mask = size - 1;
        for (BlockingHooks.Loop l : all) {
            int i = (int) l.threadId() & mask;
            while (table[i] != null) {
                i = (i + 1) & mask;
            }
            table[i] = l;
        }
        return table;
    }

    /** Every live thread, without a stack dump (no safepoint): the root thread group's enumeration. */
    static List<Thread> liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n;
        while ((n = root.enumerate(threads, true)) == threads.length) {
            threads = new Thread[threads.length * 2];
        }
        List<Thread> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(threads[i]);
        }
        return out;
    }
}
