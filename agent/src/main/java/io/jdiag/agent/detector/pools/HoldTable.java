package io.jdiag.agent.detector.pools;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The holds by their pool entry's identity: looked up on every borrow and return, added once per
 * physical connection, dropped when the entry is collected. So reads are made cheap and writes
 * rare: an open-addressing table, copied on every change and published through a volatile field; a
 * lookup is one volatile read, the entry's identity hash and a probe or two, with no allocation and no
 * lock. (A {@code ConcurrentHashMap} with a wrapper key costs about three times that.)
 */
final class HoldTable {
    private volatile Hold[] table = new Hold[64];
    private int size;

    /** Any thread. */
    Hold get(Object entry) {
        Hold[] t = table;
        int hash = System.identityHashCode(entry);
        int mask = t.length - 1;
        for (int i = mix(hash) & mask; ; i = (i + 1) & mask) {
            Hold h = t[i];
            if (h == null) {
                return null;
            }
            if (h.hash() == hash && h.get() == entry) {
                return h;
            }
        }
    }

    /** The hold of {@code entry}: {@code created} if it had none, or the one another thread added first; null when full. */
    synchronized Hold addIfAbsent(Hold created, int max) {
        Object entry = created.get();
        Hold existing = entry == null ? null : get(entry);
        if (existing != null) {
            return existing;
        }
        if (size >= max) {
            return null;
        }
        Hold[] t = table;
        int capacity = t.length;
        while ((size + 1) * 2 > capacity) {
            capacity *= 2;
        }
        Hold[] copy = new Hold[capacity];
        for (Hold h : t) {
            if (h != null) {
                insert(copy, h);
            }
        }
        insert(copy, created);
        size++;
        table = copy;
        return created;
    }

    /** Agent thread: forgets holds whose entry was collected. */
    synchronized void removeCollected() {
        Hold[] t = table;
        boolean any = false;
        for (Hold h : t) {
            if (h != null && h.get() == null) {
                any = true;
                break;
            }
        }
        if (!any) {
            return;
        }
        Hold[] copy = new Hold[t.length];
        int n = 0;
        for (Hold h : t) {
            if (h != null && h.get() != null) {
                insert(copy, h);
                n++;
            }
        }
        size = n;
        table = copy;
    }

    /** A snapshot of the holds, for the agent thread's scans. */
    Collection<Hold> values() {
        Hold[] t = table;
        List<Hold> out = new ArrayList<>(size);
        for (Hold h : t) {
            if (h != null) {
                out.add(h);
            }
        }
        return out;
    }

    int size() {
        return size;
    }

    private static void insert(Hold[] t, Hold h) {
        int mask = t.length - 1;
        int i = mix(h.hash()) & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = h;
    }

    /** Spreads identity hashes, whose low bits are not uniform. */
    private static int mix(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
