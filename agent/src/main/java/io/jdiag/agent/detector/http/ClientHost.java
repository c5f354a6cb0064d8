package io.jdiag.agent.detector.http;

import io.jdiag.agent.export.LatencyHistogram;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One downstream ({@code host:port} label, or {@code other}) and everything recorded about it: latency
 * series by client and status, missing-timeout counters by client and timeout, and the rate limit of
 * stack captures. Application threads touch only array slots here: no map lookups, no allocation once a
 * series exists.
 */
final class ClientHost {
    /** Status slots: 100..599 at {@code status - 100}, and one for calls that got no response. */
    static final int STATUS_SLOTS = 501;
    static final int ERROR_SLOT = 500;
    /** Stack captures allowed per (client, missing set) at once... */
    static final int CAPTURE_BURST = 5;
    /** ...refilled at this rate (one per 200 ms). */
    static final long CAPTURE_INTERVAL_NANOS = 200_000_000L;
    private static final long UNUSED = Long.MIN_VALUE;

    final String label;
    /** Per client: latency by status slot, created on first use. */
    private final AtomicReferenceArray<AtomicReferenceArray<LatencyHistogram>> latency =
            new AtomicReferenceArray<>(ClientKind.COUNT);
    /** Per client and timeout label: {@code client * 3 + bit index}. */
    private final LongAdder[] missing = new LongAdder[ClientKind.COUNT * ClientTimeoutPolicy.LABELS.length];
    /** GCRA "theoretical arrival time" per client and missing set ({@code client * 8 + mask}). */
    private final AtomicLongArray captureTat = new AtomicLongArray(ClientKind.COUNT * 8);

    ClientHost(String label) {
        this.label = label;
        for (int i = 0; i < missing.length; i++) {
            missing[i] = new LongAdder();
        }
        for (int i = 0; i < captureTat.length(); i++) {
            captureTat.set(i, UNUSED);
        }
    }

    static int statusSlot(int status) {
        return status >= 100 && status <= 599 ? status - 100 : ERROR_SLOT;
    }

    static String statusLabel(int slot) {
        return slot == ERROR_SLOT ? "error" : Integer.toString(slot + 100);
    }

    /** The series of a client and status slot, or null if none was created yet. */
    LatencyHistogram latency(ClientKind kind, int slot) {
        AtomicReferenceArray<LatencyHistogram> byStatus = latency.get(kind.ordinal());
        return byStatus == null ? null : byStatus.get(slot);
    }

    /** Creates (or returns the concurrently created) series. */
    LatencyHistogram createLatency(ClientKind kind, int slot) {
        AtomicReferenceArray<LatencyHistogram> byStatus = latency.get(kind.ordinal());
        if (byStatus == null) {
            latency.compareAndSet(kind.ordinal(), null, new AtomicReferenceArray<>(STATUS_SLOTS));
            byStatus = latency.get(kind.ordinal());
        }
        LatencyHistogram h = byStatus.get(slot);
        if (h == null) {
            byStatus.compareAndSet(slot, null, new LatencyHistogram());
            h = byStatus.get(slot);
        }
        return h;
    }

    void countMissing(ClientKind kind, int mask) {
        for (int bit = 0; bit < ClientTimeoutPolicy.LABELS.length; bit++) {
            if ((mask & (1 << bit)) != 0) {
                missing[kind.ordinal() * ClientTimeoutPolicy.LABELS.length + bit].increment();
            }
        }
    }

    long missing(ClientKind kind, int bit) {
        return missing[kind.ordinal() * ClientTimeoutPolicy.LABELS.length + bit].sum();
    }

    /**
     * Whether a stack may be captured now for this client and missing set: a token bucket in GCRA form
     * ({@link #CAPTURE_BURST} at once, then one per {@link #CAPTURE_INTERVAL_NANOS}); lock- and
     * allocation-free. Calls are always counted; only the stack capture is rate limited.
     */
    boolean tryCapture(ClientKind kind, int mask, long nowNanos) {
        int i = kind.ordinal() * 8 + (mask & 7);
        while (true) {
            long tat = captureTat.get(i);
            // Compare by difference: nanoTime may be negative and may wrap.
            long base = tat == UNUSED || tat - nowNanos < 0 ? nowNanos : tat;
            long next = base + CAPTURE_INTERVAL_NANOS;
            if (next - nowNanos > CAPTURE_BURST * CAPTURE_INTERVAL_NANOS) {
                return false;
            }
            if (captureTat.compareAndSet(i, tat, next)) {
                return true;
            }
        }
    }
}
