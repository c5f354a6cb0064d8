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
     * application's behalf), servlet containers, Netty and the web frameworks on top (Spring with
     * Spring Boot and its nested-jar loader, Jersey and its HK2, RESTEasy, Reactor), and the Jakarta
     * EE APIs: never the line a user fixes. A finding whose stack has no other frame is the
     * framework's own ({@code origin: library}).
     */
    @Override
    public List<String> libraryPackages() {
        return Arrays.asList(
                "org.apache.http.", "org.apache.hc.", "okhttp3.", "okio.", "kotlin.", "retrofit2.", "feign.",
                "org.springframework.", "org.glassfish.jersey.", "org.glassfish.hk2.", "org.jvnet.hk2.",
                "org.jboss.resteasy.", "reactor.", "jakarta.",
                "org.eclipse.jetty.", "org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.",
                "org.apache.naming.", "io.undertow.", "org.xnio.", "org.jboss.threads.", "io.netty.");
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        List<TypeInstrumentation> all = new ArrayList<>(Arrays.asList(
                new ServletInstrumentation.Jakarta(), new ServletInstrumentation.Javax(),
                new WorkerPoolInstrumentation(), new NettyServerInstrumentation(),
                // the web frameworks that name a request's route template
                new SpringMvcInstrumentation.Dispatcher(), new SpringMvcInstrumentation.HandlerChain(),
                new SpringWebFluxInstrumentation.Dispatcher(), new SpringWebFluxInstrumentation.Adapters(),
                new JaxRsInstrumentation.JerseyApplication(), new JaxRsInstrumentation.JerseyDispatcher(),
                new JaxRsInstrumentation.RestEasyDispatcher(), new JaxRsInstrumentation.RestEasyInvoker(),
                // a wrapper that bounds the JDK client's calls in its own way
                new SpringJdkClientInstrumentation()));
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
