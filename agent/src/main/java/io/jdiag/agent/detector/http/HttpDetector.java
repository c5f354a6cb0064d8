package io.jdiag.agent.detector.http;

import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpHooks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code http}: requests in (servlet containers, Netty) with route attribution and worker
 * saturation, and requests out (JDK, Apache and OkHttp clients) with latency and missing timeouts.
 */
public final class HttpDetector implements Detector {
    private final HttpClients clients = new HttpClients();
    private HttpServerAnalyzer server;

    @Override
    public String name() {
        return "http";
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        List<TypeInstrumentation> all = new ArrayList<>(Arrays.asList(
                new ServletInstrumentation.Jakarta(), new ServletInstrumentation.Javax(),
                new WorkerPoolInstrumentation(), new NettyServerInstrumentation()));
        all.addAll(clients.instrumentations());
        return all;
    }

    @Override
    public void start(DetectorContext context) {
        server = new HttpServerAnalyzer(context);
        HttpHooks.install(server);
        clients.start(context);
    }

    @Override
    public void stop() {
        HttpHooks.install(null);
        clients.stop();
    }
}
