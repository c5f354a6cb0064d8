package io.jdiag.agent.core;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * A weak reference that is its own key in a map, by the identity of its referent: tracking an
 * application object (a resource, a pool, a JDBC parent) never keeps it alive, and never calls its
 * own {@code hashCode}/{@code equals}. A cleared key equals only itself. Look one up with a
 * throw-away {@link Lookup}, which allocates no reference.
 */
public class IdentityWeakKey<T> extends WeakReference<T> {
    private final int hash;

    public IdentityWeakKey(T referent) {
        this(referent, null);
    }

    public IdentityWeakKey(T referent, ReferenceQueue<? super T> queue) {
        super(referent, queue);
        this.hash = System.identityHashCode(referent);
    }

    @Override
    public final int hashCode() {
        return hash;
    }

    /** Same class of key and the same referent (by identity). */
    @Override
    public final boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        Object mine = get();
        return mine != null && mine == ((IdentityWeakKey<?>) o).get();
    }

    /** A key to find the entry of {@code target}; {@code ConcurrentHashMap} calls {@code lookup.equals(storedKey)}. */
    public static final class Lookup {
        private final Object target;

        public Lookup(Object target) {
            this.target = target;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(target);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IdentityWeakKey && ((IdentityWeakKey<?>) o).get() == target;
        }
    }
}
