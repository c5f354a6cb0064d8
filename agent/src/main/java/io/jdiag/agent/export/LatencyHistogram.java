package io.jdiag.agent.export;

import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * One latency series: application threads record into an HdrHistogram {@link Recorder}
 * (wait-free, no allocation); the agent thread or a scrape drains interval histograms into
 * cumulative Prometheus buckets. Values are kept in microseconds.
 */
public final class LatencyHistogram {
    /** Bucket upper bounds in seconds, shared by every jdiag latency histogram. */
    public static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Recorder recorder = new Recorder(2);
    private Histogram interval;
    private final long[] buckets = new long[BUCKETS.length + 1];
    private long count;
    private double sumSeconds;
    private long maxMicros;

    /** From any thread. */
    public void recordNanos(long nanos) {
        recorder.recordValue(Math.max(0, nanos / 1000));
    }

    /** Moves what was recorded since the last drain into the cumulative buckets. */
    public synchronized void drain() {
        interval = recorder.getIntervalHistogram(interval);
        if (interval.getTotalCount() == 0) {
            return;
        }
        for (HistogramIterationValue v : interval.recordedValues()) {
            long n = v.getCountAddedInThisIterationStep();
            double seconds = interval.highestEquivalentValue(v.getValueIteratedTo()) / 1e6;
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) {
                i++;
            }
            buckets[i] += n;
            sumSeconds += n * (interval.medianEquivalentValue(v.getValueIteratedTo()) / 1e6);
        }
        count += interval.getTotalCount();
        maxMicros = Math.max(maxMicros, interval.getMaxValue());
    }

    public synchronized long count() {
        drain();
        return count;
    }

    /** Largest latency recorded so far, in seconds (bucket-precision). */
    public synchronized double maxSeconds() {
        drain();
        return maxMicros / 1e6;
    }

    /** Appends {@code name_bucket}, {@code name_count}, {@code name_sum} samples with the given labels. */
    public synchronized void addSamples(String name, List<String> labelNames, List<String> labelValues, List<Sample> out) {
        drain();
        List<String> names = new ArrayList<>(labelNames);
        names.add("le");
        long cumulative = 0;
        for (int i = 0; i <= BUCKETS.length; i++) {
            cumulative += buckets[i];
            List<String> values = new ArrayList<>(labelValues);
            values.add(i < BUCKETS.length ? Collector.doubleToGoString(BUCKETS[i]) : "+Inf");
            out.add(new Sample(name + "_bucket", names, values, cumulative));
        }
        out.add(new Sample(name + "_count", labelNames, labelValues, count));
        out.add(new Sample(name + "_sum", labelNames, labelValues, sumSeconds));
    }

    /** A histogram family with no samples yet, to which series add theirs. */
    public static Collector.MetricFamilySamples family(String name, String help, List<Sample> samples) {
        return new Collector.MetricFamilySamples(name, Collector.Type.HISTOGRAM, help,
                samples == null ? Collections.emptyList() : samples);
    }
}
