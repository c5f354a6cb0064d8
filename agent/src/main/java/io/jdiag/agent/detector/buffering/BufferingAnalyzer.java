package io.jdiag.agent.detector.buffering;

import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.agent.report.Stacks;
import io.jdiag.bootstrap.BufferingHooks;
import io.jdiag.bootstrap.RequestContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * The buffering logic, free of Byte Buddy. Application threads: a histogram record per whole read,
 * and for a read or buffer past the threshold (rare, and far costlier itself) a stack, the route and
 * an event. Agent thread ({@link LargeBuffering#handle}): frames, site, the finding.
 */
final class BufferingAnalyzer implements BufferingHooks.BufferingSink {
    static final String ADVICE = "stream it in bounded chunks (InputStream.transferTo to the destination, a fixed-size"
            + " buffer, a streaming parser or body handler) instead of holding it whole; see docs/detectors.md#buffering";
    static final String ADVICE_AGGREGATOR = "lower HttpObjectAggregator's maxContentLength, or handle HttpContent parts"
            + " as they arrive instead of aggregating; see docs/detectors.md#buffering";

    /** Client libraries whose response streams count as {@code http_client_response}. */
    private static final String[] CLIENT_PACKAGES = {"sun.net.www.", "jdk.internal.net.http.", "org.apache.http.",
        "org.apache.hc.", "okhttp3.", "okio."};

    /** The source of a stream, by its class: servlet request bodies and client responses are named as such. */
    // The value is attached to the stream's class (the application's or the JDK's) for as long as
    // that class lives, so it is a JDK type (the Source's ordinal), never a Source: an agent object
    // there would pin the agent class loader after a detach.
    private static final ClassValue<Integer> STREAM_SOURCES = new ClassValue<Integer>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            return streamSource(type).ordinal();
        }
    };
    private static final Source[] SOURCES = Source.values();

    private final long threshold;
    private final BufferingMetrics metrics;
    private final EventPipeline events;
    private final Consumer<FindingEvent> findings;
    /**
     * Body streams of requests that declared more than the threshold, weakly: containers recycle their
     * streams, and a stream that is dropped drops out. Entries only for such (rare) requests.
     */
    private final Map<Object, Long> declaredBodies = Collections.synchronizedMap(new WeakHashMap<>());

    BufferingAnalyzer(long threshold, BufferingMetrics metrics, EventPipeline events, Consumer<FindingEvent> findings) {
        this.threshold = threshold;
        this.metrics = metrics;
        this.events = events;
        this.findings = findings;
    }

    static Source streamSource(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            String n = c.getName();
            if (n.equals("jakarta.servlet.ServletInputStream") || n.equals("javax.servlet.ServletInputStream")) {
                return Source.SERVLET_REQUEST;
            }
        }
        String n = type.getName();
        for (String p : CLIENT_PACKAGES) {
            if (n.startsWith(p)) {
                return Source.HTTP_CLIENT_RESPONSE;
            }
        }
        return Source.INPUT_STREAM;
    }

    @Override
    public void read(int sourceConstant, String api, Object stream, long bytes) {
        try {
            Source source = Source.of(sourceConstant);
            if (source == Source.INPUT_STREAM && stream != null) {
                source = SOURCES[STREAM_SOURCES.get(stream.getClass())];
            }
            metrics.observe(source, bytes);
            if (bytes > threshold) {
                long declared = -1;
                if (source == Source.SERVLET_REQUEST && stream != null) {
                    Long d = declaredBodies.get(stream);
                    declared = d == null ? -1 : d;
                }
                large(source, api, bytes, declared, -1);
            }
        } catch (Throwable ignored) {
            // never disturb the application's read
        }
    }

    @Override
    public void largeBuffer(long capacity) {
        try {
            metrics.observe(Source.BYTE_ARRAY_OUTPUT_STREAM, capacity);
            large(Source.BYTE_ARRAY_OUTPUT_STREAM, "java.io.ByteArrayOutputStream", capacity, -1, -1);
        } catch (Throwable ignored) {
            // never disturb the application's write
        }
    }

    @Override
    public void declaredBody(Object stream, long declaredLength) {
        try {
            declaredBodies.put(stream, declaredLength);
        } catch (Throwable ignored) {
            // best effort: the read is still reported, as a warning
        }
    }

    @Override
    public void aggregated(long bytes, int maxContentLength) {
        try {
            metrics.observe(Source.NETTY_AGGREGATOR, bytes);
            if (bytes > threshold) {
                large(Source.NETTY_AGGREGATOR, "io.netty.handler.codec.http.HttpObjectAggregator", bytes, -1, maxContentLength);
            }
        } catch (Throwable ignored) {
            // never disturb the event loop
        }
    }

    /** Application thread: counts it, captures where, hands the rest to the agent thread. */
    private void large(Source source, String api, long bytes, long declared, int maxContentLength) {
        metrics.large(source);
        events.offer(new LargeBuffering(source, api, bytes, declared, maxContentLength, RequestContext.currentRoute(),
                Thread.currentThread().getName(), new Throwable("buffered here"), System.currentTimeMillis()));
    }

    /** One read or buffer past the threshold, turned into a finding on the agent thread. */
    final class LargeBuffering implements EventPipeline.AgentEvent {
        final Source source;
        final String api;
        final long bytes;
        final long declared;
        final int maxContentLength;
        final String route;
        final String thread;
        final Throwable where;
        final long timeMillis;

        LargeBuffering(Source source, String api, long bytes, long declared, int maxContentLength, String route,
                       String thread, Throwable where, long timeMillis) {
            this.source = source;
            this.api = api;
            this.bytes = bytes;
            this.declared = declared;
            this.maxContentLength = maxContentLength;
            this.route = route;
            this.thread = thread;
            this.where = where;
            this.timeMillis = timeMillis;
        }

        @Override
        public void handle() {
            findings.accept(finding());
        }

        FindingEvent finding() {
            List<String> frames = Stacks.frames(where);
            String site = Stacks.site(frames);
            String call = shortApi(api);
            String where = Stacks.where(site, route, "unknown code");
            String summary;
            boolean critical = declared > threshold;
            switch (source) {
                case BYTE_ARRAY_OUTPUT_STREAM:
                    summary = "ByteArrayOutputStream grew past " + size(threshold) + " (to a " + size(bytes) + " buffer) in " + where;
                    break;
                case NETTY_AGGREGATOR:
                    summary = "HttpObjectAggregator (maxContentLength " + size(maxContentLength) + ") held a "
                            + size(bytes) + " body in memory in " + where;
                    break;
                case SERVLET_REQUEST:
                    summary = call + " read a " + size(bytes) + " request body into memory in " + where
                            + (critical ? " (the request declared Content-Length " + size(declared) + ")" : "");
                    break;
                case HTTP_CLIENT_RESPONSE:
                    summary = call + " read a " + size(bytes) + " response body into memory in " + where;
                    break;
                default:
                    summary = call + " read " + size(bytes) + " into memory in " + where;
            }
            FindingEvent e = new FindingEvent("buffering", "unbounded_buffering", source.label + " " + call + " " + site)
                    .severity(critical ? "critical" : "warning")
                    .summary(summary)
                    .route(route)
                    .thread(thread)
                    .resource(source.label, call)
                    .stack(source == Source.NETTY_AGGREGATOR ? frames : fromCall(frames))
                    .advice(source == Source.NETTY_AGGREGATOR ? ADVICE_AGGREGATOR : ADVICE)
                    .detail("bytes", bytes)
                    .detail("thresholdBytes", threshold)
                    .detail("site", site)
                    .at(timeMillis);
            if (declared >= 0) {
                e.detail("declaredContentLength", declared);
            }
            if (source == Source.NETTY_AGGREGATOR) {
                // The aggregator was put in the pipeline by the application: its choice, whatever the stack says.
                e.origin("application").detail("maxContentLength", (long) maxContentLength);
            }
            return e;
        }
    }

    /**
     * {@code java.io.InputStream.readAllBytes} → {@code InputStream.readAllBytes} (class and method);
     * {@code java.io.ByteArrayOutputStream} → {@code ByteArrayOutputStream} (a class alone).
     */
    static String shortApi(String api) {
        int last = api.lastIndexOf('.');
        if (last < 0 || last == api.length() - 1) {
            return api;
        }
        if (Character.isUpperCase(api.charAt(last + 1))) {
            return api.substring(last + 1);
        }
        int before = api.lastIndexOf('.', last - 1);
        return api.substring(before + 1);
    }

    /**
     * The stack from the call the application made: the JDK's or a library's frames inside the read
     * ({@code InputStream.readNBytes} under {@code readAllBytes}) are dropped, so the stack reads
     * "what was called, from where".
     */
    static List<String> fromCall(List<String> frames) {
        int app = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (Stacks.isApplicationFrame(frames.get(i))) {
                app = i;
                break;
            }
        }
        if (app <= 0) {
            return frames;
        }
        return new ArrayList<>(frames.subList(app - 1, frames.size()));
    }

    /** {@code 12.0 MiB}. */
    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
        }
        return bytes + " B";
    }
}
