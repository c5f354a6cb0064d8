package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpHooks;
import io.jdiag.bootstrap.RequestContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.lang.instrument.Instrumentation;
import java.util.Arrays;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.jboss.resteasy.mock.MockDispatcherFactory;
import org.jboss.resteasy.mock.MockHttpRequest;
import org.jboss.resteasy.mock.MockHttpResponse;
import org.jboss.resteasy.spi.Dispatcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JAX-RS advice woven, in this JVM, into the real RESTEasy (its in-memory dispatcher): a request
 * running under a servlet's route ({@code GET /api/*}) takes the template of the resource class and
 * method that matched, under the servlet's prefix; one that matched nothing is {@code unmatched}.
 */
class RestEasyRouteTest {
    @Path("/items")
    public static class Items {
        @GET
        @Path("/{id}")
        public String item(@PathParam("id") long id) {
            return "item " + id;
        }

        @GET
        @Path("{id}/lines/{line: [0-9]+}")
        public String line(@PathParam("id") long id, @PathParam("line") int line) {
            return "line " + line;
        }
    }

    private static Instrumentation inst;
    private static ResettableClassFileTransformer transformer;

    @BeforeAll
    static void weave() {
        inst = ByteBuddyAgent.install();
        AgentBuilder builder = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        for (TypeInstrumentation ti : Arrays.asList(new JaxRsInstrumentation.RestEasyDispatcher(), new JaxRsInstrumentation.RestEasyInvoker())) {
            AgentBuilder.Transformer.ForAdvice[] advice = {new AgentBuilder.Transformer.ForAdvice()};
            ti.transform((methods, adviceClass) -> advice[0] = advice[0].advice(methods, adviceClass));
            builder = builder.type(ti.typeMatcher()).transform(advice[0]);
        }
        transformer = builder.installOn(inst);
        HttpHooks.install(new RecordingSink());
    }

    @AfterAll
    static void unweave() {
        HttpHooks.install(null);
        transformer.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }

    @Test
    void aMatchedResourceMethodNamesItsPathTemplate() throws Exception {
        assertThat(dispatch("/items/42")).isEqualTo("GET /api/items/{id}");
        assertThat(dispatch("/items/42/lines/7")).isEqualTo("GET /api/items/{id}/lines/{line: [0-9]+}");
    }

    @Test
    void aRequestNoResourceMatchedIsUnmatched() throws Exception {
        assertThat(dispatch("/nothing/here/5")).isEqualTo("GET unmatched");
    }

    /** Dispatches {@code path} under the route a servlet mapped at {@code /api/*} would have made current. */
    private static String dispatch(String path) throws Exception {
        Dispatcher dispatcher = MockDispatcherFactory.createDispatcher();
        dispatcher.getRegistry().addPerRequestResource(Items.class);
        RequestContext.Route route = new RequestContext.Route("GET /api/*", "GET", "/api", true);
        RequestContext.use(route);
        try {
            dispatcher.invoke(MockHttpRequest.get(path), new MockHttpResponse());
        } finally {
            RequestContext.restore(null);
        }
        return route.value();
    }

    /** The real route rules of the analyzer, without metrics. */
    static final class RecordingSink implements HttpHooks.HttpSink {
        private final RouteTemplates routes = new RouteTemplates(100);

        @Override
        public String frameworkRoute(String method, String base, String template) {
            return routes.framework(method, base, template);
        }

        @Override
        public String templateOf(Object frameworkModel) {
            return FrameworkTemplates.of(frameworkModel);
        }

        @Override
        public RequestContext.Route servletRequest(String method, String contextPath, String mappingPattern, String servletPath,
                                                   String pathInfo) {
            return null;
        }

        @Override
        public void serverStarted(Object request, RequestContext.Route route, long startNanos) {}

        @Override
        public void serverReturned(Object request, RequestContext.Route route, long startNanos, int status, boolean asyncStarted) {}

        @Override
        public Object asyncListener(Class<?> listenerType, Object request, RequestContext.Route route, long startNanos) {
            return null;
        }

        @Override
        public void workerPool(Object pool, String server) {}

        @Override
        public Object nettyRequest(Object channel, String method, String uri) {
            return null;
        }

        @Override
        public RequestContext.Route route(Object channel) {
            return null;
        }

        @Override
        public boolean nettyWrite(Object channel, int status, boolean last) {
            return false;
        }

        @Override
        public void nettyClosed(Object channel) {}
    }
}
