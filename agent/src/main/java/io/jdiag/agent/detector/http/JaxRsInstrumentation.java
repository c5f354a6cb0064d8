package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * JAX-RS: the route is the {@code @Path} template of the resource class and method that matched,
 * under the application's servlet prefix. Jersey (2.3+, 3, 4) says it through
 * {@code ExtendedUriInfo.getMatchedTemplates()} (sub-resource locators included), read when the
 * resource method is dispatched; RESTEasy (3.0+) through the invoker's {@code ResourceMethod.getFullpath()},
 * read (reflectively, as the type changed from a class to an interface in 4.0) when the resource
 * method is invoked. A request either framework took without matching a resource is {@code unmatched}.
 */
public final class JaxRsInstrumentation {
    private JaxRsInstrumentation() {}

    static final String JERSEY_APPLICATION = "org.glassfish.jersey.server.ApplicationHandler";
    static final String JERSEY_DISPATCHER = "org.glassfish.jersey.server.model.internal.AbstractJavaResourceMethodDispatcher";
    static final String JERSEY_REQUEST = "org.glassfish.jersey.server.ContainerRequest";
    static final String RESTEASY_DISPATCHER = "org.jboss.resteasy.core.SynchronousDispatcher";
    static final String RESTEASY_INVOKER = "org.jboss.resteasy.core.ResourceMethodInvoker";

    /** Jersey's {@code ApplicationHandler.handle(request)}: Jersey takes the request. */
    public static final class JerseyApplication implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(JERSEY_APPLICATION);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("handle").and(takesArguments(1)).and(takesArgument(0, named(JERSEY_REQUEST))),
                    JerseyApplication.class.getName() + "$HandleAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(JERSEY_APPLICATION);
        }

        public static class HandleAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter() {
                HttpHooks.frameworkUnmatched(null);
            }
        }
    }

    /** Jersey's {@code AbstractJavaResourceMethodDispatcher.dispatch(resource, request)}: a resource method matched. */
    public static final class JerseyDispatcher implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(JERSEY_DISPATCHER);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("dispatch").and(takesArguments(2)).and(takesArgument(1, named(JERSEY_REQUEST))),
                    JerseyDispatcher.class.getName() + "$DispatchAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(JERSEY_DISPATCHER);
        }

        public static class DispatchAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter(@Advice.Argument(1) org.glassfish.jersey.server.ContainerRequest request) {
                List<org.glassfish.jersey.uri.UriTemplate> matched = request.getUriInfo().getMatchedTemplates();
                String[] templates = new String[matched.size()];
                for (int i = 0; i < templates.length; i++) {
                    templates[i] = matched.get(i).getTemplate();
                }
                HttpHooks.frameworkTemplates(templates);
            }
        }
    }

    /** RESTEasy's {@code SynchronousDispatcher.invoke(request, response)}: RESTEasy takes the request. */
    public static final class RestEasyDispatcher implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(RESTEASY_DISPATCHER);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("invoke").and(takesArguments(2)), RestEasyDispatcher.class.getName() + "$InvokeAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(RESTEASY_DISPATCHER);
        }

        public static class InvokeAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter() {
                HttpHooks.frameworkUnmatched(null);
            }
        }
    }

    /** RESTEasy's {@code ResourceMethodInvoker.invoke(request, response, target)}: a resource method matched. */
    public static final class RestEasyInvoker implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(RESTEASY_INVOKER);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("invoke").and(takesArguments(3)), RestEasyInvoker.class.getName() + "$InvokeAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(RESTEASY_INVOKER);
        }

        public static class InvokeAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter(@Advice.FieldValue("method") Object resourceMethod) {
                HttpHooks.frameworkModel(resourceMethod);
            }
        }
    }
}
