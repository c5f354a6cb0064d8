package io.jdiag.agent.detector.http;

import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.agent.core.WarmUpContext;
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
    private DetectorContext context;

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "HTTP server/client detector";
    }

    /**
     * HTTP clients and thin wrappers over them (code that makes calls and opens responses on the
     * application's behalf), servlet containers, Netty and the web frameworks on top: never the
     * line a user fixes.
     */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList(
                "org.apache.http.", "org.apache.hc.", "okhttp3.", "okio.", "kotlin.", "retrofit2.", "feign.",
                "org.springframework.web.client.", "org.springframework.http.client.",
                "jakarta.servlet.", "org.eclipse.jetty.", "org.apache.catalina.", "org.apache.coyote.",
                "org.apache.tomcat.", "io.undertow.", "io.netty.", "reactor.netty.", "reactor.core.");
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
        this.context = context;
        server = new HttpServerAnalyzer(context);
        HttpHooks.install(server);
        clients.start(context);
    }

    @Override
    public void warmUp() {
        WarmUpContext scratch = new WarmUpContext(context.config());
        new HttpServerAnalyzer(scratch).warmUp();
        HttpClients.warmUp();
        scratch.drain();
    }

    @Override
    public void stop() {
        HttpHooks.install(null);
        clients.stop();
    }
}
