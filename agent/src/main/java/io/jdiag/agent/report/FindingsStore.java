package io.jdiag.agent.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Findings grouped by detector, kind and site, so a leak repeated a million times is one finding
 * with a count. Bounded: beyond {@code maxFindings} distinct sites, new ones are counted as
 * dropped (existing findings keep counting).
 *
 * <p>Written by the agent thread, read by endpoint and report-writer threads; never touched by
 * application threads, so a plain lock costs the application nothing.
 */
public final class FindingsStore {
    private final int maxFindings;
    private final Map<String, Finding> byId = new HashMap<>();
    private long dropped;
    /** Told of every occurrence: feeds {@code jdiag_findings_total}. */
    public interface RecordListener {
        void recorded(String detector, String kind, String origin);
    }

    private volatile RecordListener onRecord = (d, k, o) -> { };

    public FindingsStore(int maxFindings) {
        this.maxFindings = maxFindings;
    }

    public void onRecord(RecordListener listener) {
        onRecord = listener;
    }

    public void record(FindingEvent event) {
        String id = id(event.detector, event.kind, event.site);
        String origin;
        synchronized (this) {
            Finding f = byId.get(id);
            if (f != null) {
                f.merge(event);
                origin = f.origin;
            } else if (byId.size() < maxFindings) {
                f = new Finding(id, event);
                byId.put(id, f);
                origin = f.origin;
            } else {
                dropped++;
                origin = event.origin != null ? event.origin : Stacks.origin(event.stack);
            }
        }
        onRecord.recorded(event.detector, event.kind, origin);
    }

    /** Application findings first, then library ones; within each, most recent first. */
    public synchronized List<Finding.Snapshot> snapshot() {
        List<Finding.Snapshot> out = new ArrayList<>(byId.size());
        for (Finding f : byId.values()) {
            out.add(f.snapshot());
        }
        out.sort(Comparator.comparing((Finding.Snapshot s) -> Finding.LIBRARY.equals(s.origin))
                .thenComparing(Comparator.comparingLong((Finding.Snapshot s) -> s.lastSeen).reversed())
                .thenComparing(s -> s.id));
        return out;
    }

    /** Occurrences of new sites not kept because the store was full. */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * A stable id for a site: the same code path yields the same id across runs and JVMs, so a
     * user can track one finding between reports. 64-bit FNV-1a, hex.
     */
    static String id(String detector, String kind, String site) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (detector + '\u0000' + kind + '\u0000' + site).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return String.format("%016x", h);
    }
}
