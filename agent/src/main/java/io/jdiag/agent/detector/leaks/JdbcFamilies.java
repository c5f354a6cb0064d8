package io.jdiag.agent.detector.leaks;

import io.jdiag.agent.core.IdentityWeakKey;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * JDBC's closing rules, which drivers do not all keep by calling {@code close()}: closing a connection
 * closes its statements, closing a statement closes its result sets, and a statement that hands out a
 * new result set closes the ones it handed out before. The statements of a connection and the result
 * sets of a statement are remembered here by their parent (tracked by the leaks detector or not: a
 * pooled physical connection is not), and closed with it.
 *
 * <p>Weak to the parents, and each family forgets its closed children as it grows, so that a
 * long-lived pooled connection that made a million statements holds only the open ones.
 */
final class JdbcFamilies {
    private final ConcurrentHashMap<Object, Family> byParent = new ConcurrentHashMap<>();
    private final ReferenceQueue<Object> collectedParents = new ReferenceQueue<>();
    private final Consumer<Object> close;
    private final Predicate<TrackedResource> live;

    /**
     * @param close closes one child as its own {@code close()} would
     * @param live  whether a child is still tracked as open
     */
    JdbcFamilies(Consumer<Object> close, Predicate<TrackedResource> live) {
        this.close = close;
        this.live = live;
    }

    /** {@code child} was opened by {@code parent}. */
    void add(Object parent, TrackedResource child) {
        forgetCollectedParents();
        Family f = byParent.get(new IdentityWeakKey.Lookup(parent));
        if (f == null) {
            Family created = new Family(parent, collectedParents);
            f = byParent.putIfAbsent(created, created);
            if (f == null) {
                f = created;
            }
        }
        List<Object> replaced = null;
        Object childObject = child.get();
        synchronized (f) {
            if (child.type == ResourceType.JDBC_RESULTSET) {
                for (TrackedResource earlier : f.children) {
                    Object o = earlier.get();
                    if (o != null && o != childObject) {
                        if (replaced == null) {
                            replaced = new ArrayList<>(1);
                        }
                        replaced.add(o);
                    }
                }
                if (replaced != null) {
                    f.children.clear();
                }
            }
            if (!f.children.contains(child)) {
                f.children.add(child);
            }
            if (f.children.size() >= f.pruneAt) {
                f.children.removeIf(c -> c.get() == null || !live.test(c));
                f.pruneAt = Math.max(16, f.children.size() * 2);
            }
        }
        if (replaced != null) {
            for (Object o : replaced) {
                close.accept(o);
            }
        }
    }

    /** {@code parent} was closed: so are its children, and theirs. */
    void closeChildren(Object parent) {
        Family f = byParent.remove(new IdentityWeakKey.Lookup(parent));
        if (f == null) {
            return;
        }
        List<TrackedResource> children;
        synchronized (f) {
            children = new ArrayList<>(f.children);
            f.children.clear();
        }
        for (TrackedResource c : children) {
            Object o = c.get();
            if (o != null) {
                close.accept(o);
                closeChildren(o);
            }
        }
    }

    private static final java.util.Set<String> STATEMENT_FACTORIES =
            new java.util.HashSet<>(java.util.Arrays.asList("createStatement", "prepareStatement", "prepareCall"));

    /**
     * Whether the statement being created on this thread is the driver's own: the code calling
     * {@code createStatement}/{@code prepareStatement}/{@code prepareCall} belongs to the connection's
     * package (PostgreSQL's {@code getTransactionIsolation} runs its query on a statement it never closes,
     * and returns only the result set). Such a statement is the driver's business, not a leak of the
     * application. A walk of the top of the stack: about a microsecond, once per statement.
     */
    static boolean createdByItsDriver(Object connection) {
        String cls = connection.getClass().getName();
        int dot = cls.lastIndexOf('.');
        String driverPackage = dot < 0 ? "" : cls.substring(0, dot + 1);
        return StackWalker.getInstance().walk(frames -> {
                    boolean inFactory = false;
                    for (java.util.Iterator<StackWalker.StackFrame> it = frames.limit(32).iterator(); it.hasNext(); ) {
                        StackWalker.StackFrame f = it.next();
                        boolean factory = STATEMENT_FACTORIES.contains(f.getMethodName()) && !f.getClassName().startsWith("io.jdiag.");
                        if (factory) {
                            inFactory = true;
                        } else if (inFactory) {
                            return f.getClassName().startsWith(driverPackage);
                        }
                    }
                    return false;
                });
    }

    private void forgetCollectedParents() {
        Reference<?> ref;
        while ((ref = collectedParents.poll()) != null) {
            byParent.remove(ref);
        }
    }

    int size() {
        return byParent.size();
    }

    /** The children of one parent; its own key in the map (identity of the parent). */
    private static final class Family extends IdentityWeakKey<Object> {
        final List<TrackedResource> children = new ArrayList<>(2);
        int pruneAt = 16;

        Family(Object parent, ReferenceQueue<Object> queue) {
            super(parent, queue);
        }
    }

}
