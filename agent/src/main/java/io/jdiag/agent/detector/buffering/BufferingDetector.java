package io.jdiag.agent.detector.buffering;

import io.jdiag.agent.core.ConfigKey;
import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.EventPipeline;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.agent.report.FindingEvent;
import io.jdiag.bootstrap.BufferingHooks;
import io.prometheus.client.CollectorRegistry;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@code buffering}: whole bodies and streams read into memory instead of streamed — {@code readAllBytes}
 * on an upload, {@code EntityUtils.toByteArray}, a {@code ByteArrayOutputStream} grown to hundreds of MiB,
 * a Netty aggregator with a huge {@code maxContentLength}.
 */
public final class BufferingDetector implements Detector {
    static final ConfigKey THRESHOLD = ConfigKey.size("buffering.threshold", "8MiB",
            "a single in-memory read or buffer larger than this is flagged");

    private BufferingAnalyzer analyzer;
    private long threshold;

    @Override
    public String name() {
        return "buffering";
    }

    @Override
    public String description() {
        return "unbounded-buffering detector";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return Collections.singletonList(THRESHOLD);
    }

    /** Helpers that read a stream whole on the caller's behalf: the caller is the site. */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList("org.apache.commons.io.", "com.google.common.io.",
                "org.springframework.util.StreamUtils", "org.springframework.util.FileCopyUtils");
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        return Arrays.asList(new InputStreamInstrumentation(), new ByteArrayOutputStreamInstrumentation(),
                new ServletBodyInstrumentation.Jakarta(), new ServletBodyInstrumentation.Javax(),
                new EntityUtilsInstrumentation.Apache4(), new EntityUtilsInstrumentation.Apache5(),
                new OkHttpBodyInstrumentation(), new JdkHttpClientBodyInstrumentation(), new NettyAggregatorInstrumentation());
    }

    @Override
    public void start(DetectorContext context) {
        threshold = context.config().bytes(THRESHOLD);
        BufferingMetrics metrics = new BufferingMetrics().registerIn(context.registry());
        analyzer = new BufferingAnalyzer(threshold, metrics, context.events(), context.findings()::record);
        BufferingHooks.install(analyzer, threshold);
    }

    @Override
    public void warmUp() {
        warmUp(new ArrayList<>());
    }

    /**
     * The real hook path on a throw-away analyzer (metrics nobody scrapes, findings dropped) with a
     * tiny threshold, so that a whole read, a buffer growing past it, a declared body and an aggregated
     * message each take the large path once: every class they need is loaded now, not inside the
     * application's first read. The real sink is put back afterwards (no advice is installed yet, so
     * nothing of the application's reaches the throw-away one).
     *
     * @return the throw-away metrics, for the test that pins this path
     */
    BufferingMetrics warmUp(List<FindingEvent> findings) {
        BufferingMetrics metrics = new BufferingMetrics().registerIn(new CollectorRegistry());
        EventPipeline events = new EventPipeline(16);
        BufferingAnalyzer scratch = new BufferingAnalyzer(16, metrics, events, findings::add);
        BufferingHooks.install(scratch, 16);
        try {
            Object frame = BufferingHooks.enter();
            BufferingHooks.exit(frame, BufferingHooks.INPUT_STREAM, "java.io.InputStream.readAllBytes",
                    new ByteArrayInputStream(new byte[0]), new byte[64]);
            BufferingHooks.exit(BufferingHooks.enterBounded(64), BufferingHooks.HTTP_CLIENT_RESPONSE,
                    "okhttp3.ResponseBody.string", null, "warm-up body longer than sixteen");
            BufferingHooks.whole(BufferingHooks.HTTP_CLIENT_RESPONSE, JdkHttpClientBodyInstrumentation.API, null, new byte[1]);
            Object stream = new Object();
            BufferingHooks.servletBody(stream, 64);
            scratch.read(BufferingHooks.SERVLET_REQUEST, "java.io.InputStream.readAllBytes", stream, 64);
            BufferingHooks.ensureCapacity(16, 17);
            BufferingHooks.aggregated(64, 1024);
            events.drain(16);
        } finally {
            BufferingHooks.install(analyzer, threshold);
        }
        return metrics;
    }

    @Override
    public void stop() {
        BufferingHooks.install(null, 0);
    }
}
