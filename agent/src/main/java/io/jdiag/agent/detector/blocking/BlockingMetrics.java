package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.export.LatencyHistogram;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * {@code jdiag_event_loop_*{loop}}: one series set per loop label (bounded by {@link LoopLabels}),
 * created when a loop of that label registers; {@code call} is bounded by the instrumented methods.
 * Histograms are recorded into HdrHistogram recorders (the lag one by the probe on the loop thread),
 * counters into adders; families are built at scrape time.
 */
final class BlockingMetrics extends Collector {
    private static final List<String> LOOP = Collections.singletonList("loop");

    /** The series of one loop label. */
    static final class Series {
        final LatencyHistogram blocked = new LatencyHistogram();
        final LatencyHistogram lag = new LatencyHistogram();
        final LongAdder stalls = new LongAdder();
        final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    }

    private final Map<String, Series> byLoop = new ConcurrentHashMap<>();
    private Supplier<List<LoopState>> loops = Collections::emptyList;

    /** The loops whose threads {@code jdiag_event_loop_threads} counts. */
    void loops(Supplier<List<LoopState>> source) {
        loops = source;
    }

    Series series(String loop) {
        return byLoop.computeIfAbsent(loop, l -> new Series());
    }

    void blockingCall(String loop, String call, long nanos) {
        Series s = series(loop);
        s.calls.computeIfAbsent(call, c -> new LongAdder()).increment();
        if (nanos >= 0) {
            s.blocked.recordNanos(nanos);
        }
    }

    /** A blocked time learnt after the call was counted (a stall the watchdog classified, when it ended). */
    void blockedTime(String loop, long nanos) {
        series(loop).blocked.recordNanos(nanos);
    }

    void stall(String loop) {
        series(loop).stalls.increment();
    }

    long calls(String loop, String call) {
        Series s = byLoop.get(loop);
        LongAdder n = s == null ? null : s.calls.get(call);
        return n == null ? 0 : n.sum();
    }

    long stalls(String loop) {
        Series s = byLoop.get(loop);
        return s == null ? 0 : s.stalls.sum();
    }

    @Override
    public List<MetricFamilySamples> collect() {
        CounterMetricFamily calls = new CounterMetricFamily("jdiag_event_loop_blocking_calls_total",
                "Blocking calls made on event-loop threads, by loop and blocking method", Arrays.asList("loop", "call"));
        CounterMetricFamily stalls = new CounterMetricFamily("jdiag_event_loop_stalls_total",
                "Times one task held an event loop longer than blocking.stall.threshold", LOOP);
        GaugeMetricFamily threads = new GaugeMetricFamily("jdiag_event_loop_threads",
                "Event-loop threads the agent watches, by loop", LOOP);
        List<Sample> blocked = new ArrayList<>();
        List<Sample> lag = new ArrayList<>();
        for (Map.Entry<String, Series> e : byLoop.entrySet()) {
            List<String> v = Collections.singletonList(e.getKey());
            Series s = e.getValue();
            for (Map.Entry<String, LongAdder> c : s.calls.entrySet()) {
                calls.addMetric(Arrays.asList(e.getKey(), c.getKey()), c.getValue().sum());
            }
            stalls.addMetric(v, s.stalls.sum());
            s.blocked.addSamples("jdiag_event_loop_blocked_seconds", LOOP, v, blocked);
            s.lag.addSamples("jdiag_event_loop_lag_seconds", LOOP, v, lag);
            int n = 0;
            for (LoopState l : loops.get()) {
                if (l.label.equals(e.getKey())) {
                    n++;
                }
            }
            threads.addMetric(v, n);
        }
        return Arrays.asList(calls,
                LatencyHistogram.family("jdiag_event_loop_blocked_seconds",
                        "Time event-loop threads spent in blocking calls", blocked),
                LatencyHistogram.family("jdiag_event_loop_lag_seconds",
                        "Scheduling delay of a probe task posted to each event loop", lag),
                stalls, threads);
    }
}
