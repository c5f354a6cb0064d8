package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.LibraryPresent;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code Servlet.service(ServletRequest, ServletResponse)} of every servlet, for the Jakarta
 * (Servlet 5+: Jetty 11/12, Tomcat 10/11) and the javax (Servlet 3/4: Jetty 9/10, Tomcat 9)
 * namespaces. The outermost call of a request on a thread times it and makes its route current;
 * the route is the servlet mapping (context path + servlet path, plus {@code /*} for a prefix mapping)
 * until a web framework inside the servlet names the template that matched ({@code SpringMvcInstrumentation},
 * {@code JaxRsInstrumentation}). An {@code ASYNC} or {@code ERROR} re-dispatch of a request already
 * recorded (kept in the request attribute {@link HttpHooks#ROUTE_ATTRIBUTE}, set only on requests
 * that went async or failed) runs under the original route and is not counted again.
 */
public final class ServletInstrumentation {
    private ServletInstrumentation() {}

    /**
     * Servlets that declare {@code service(request, response)}, found by name first: every class of
     * every loader that sees the servlet API is offered to this matcher (a Spring Boot application's
     * thousands), and anything beyond its name costs a parse of its class file. Servlets are named
     * so ({@code HttpServlet}, {@code DispatcherServlet}, Jersey's {@code ServletContainer},
     * RESTEasy's {@code HttpServletDispatcher}, Jetty's {@code DefaultServlet}); Spring's many other
     * {@code *Servlet*} classes (factories, customizers, lambdas) are not parsed. A servlet of any
     * name that inherits {@code service} is timed by the class it inherits it from
     * ({@code HttpServlet}). Only a servlet whose name does not end so and that overrides
     * {@code service(ServletRequest, ServletResponse)} itself is missed. (Elastic's APM agent
     * pre-filters servlets by name too.)
     */
    static ElementMatcher<TypeDescription> servlets(String servletInterface) {
        return nameEndsWith("Servlet").or(nameEndsWith("ServletContainer")).or(nameEndsWith("ServletDispatcher"))
                .and(not(nameContains("$$")))
                .and(not(isInterface()))
                .and(declaresMethod(named("service").and(takesArguments(2))))
                .and(hasSuperType(named(servletInterface)));
    }

    static ElementMatcher<MethodDescription> service(String requestType) {
        return named("service").and(isPublic()).and(not(isAbstract())).and(takesArguments(2))
                .and(takesArgument(0, named(requestType)));
    }

    /** Jakarta Servlet 5+. */
    public static final class Jakarta implements TypeInstrumentation {
        private final LibraryPresent servletApi = new LibraryPresent("jakarta.servlet.Servlet");

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return servlets("jakarta.servlet.Servlet");
        }

        @Override
        public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
            return servletApi;
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(service("jakarta.servlet.ServletRequest"), Jakarta.class.getName() + "$ServiceAdvice");
        }

        @Override
        public java.util.List<String> requiredTypes() {
            return java.util.Collections.singletonList("jakarta.servlet.http.HttpServlet");
        }

        public static class ServiceAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter(@Advice.Argument(0) jakarta.servlet.ServletRequest request,
                                     @Advice.Local("jdiagRoute") Object route, @Advice.Local("jdiagStart") long start) {
                if (request instanceof jakarta.servlet.http.HttpServletRequest) {
                    jakarta.servlet.http.HttpServletRequest r = (jakarta.servlet.http.HttpServletRequest) request;
                    start = System.nanoTime();
                    jakarta.servlet.http.HttpServletMapping mapping = r.getHttpServletMapping();
                    boolean redispatch = r.getDispatcherType() != jakarta.servlet.DispatcherType.REQUEST;
                    route = HttpHooks.servletEnter(r, r.getMethod(), r.getContextPath(),
                            mapping == null ? null : mapping.getPattern(), r.getServletPath(), r.getPathInfo(), start,
                            redispatch, redispatch ? r.getAttribute(HttpHooks.ROUTE_ATTRIBUTE) : null);
                }
            }

            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.Argument(0) jakarta.servlet.ServletRequest request,
                                    @Advice.Argument(1) jakarta.servlet.ServletResponse response,
                                    @Advice.Thrown Throwable thrown,
                                    @Advice.Local("jdiagRoute") Object route, @Advice.Local("jdiagStart") long start) {
                if (route != null) {
                    boolean async = request.isAsyncStarted();
                    if (async) {
                        Object listener = HttpHooks.asyncListener(jakarta.servlet.AsyncListener.class, request, route, start);
                        if (listener != null) {
                            request.getAsyncContext().addListener((jakarta.servlet.AsyncListener) listener);
                        }
                    }
                    int status = response instanceof jakarta.servlet.http.HttpServletResponse
                            ? ((jakarta.servlet.http.HttpServletResponse) response).getStatus() : 200;
                    if (HttpHooks.servletExit(request, route, start, status, thrown, async)) {
                        request.setAttribute(HttpHooks.ROUTE_ATTRIBUTE, route);
                    }
                }
            }
        }
    }

    /** javax Servlet 3.0+. */
    public static final class Javax implements TypeInstrumentation {
        private final LibraryPresent servletApi = new LibraryPresent("javax.servlet.Servlet");

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return servlets("javax.servlet.Servlet");
        }

        @Override
        public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
            return servletApi;
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(service("javax.servlet.ServletRequest"), Javax.class.getName() + "$ServiceAdvice");
        }

        @Override
        public java.util.List<String> requiredTypes() {
            return java.util.Collections.singletonList("javax.servlet.http.HttpServlet");
        }

        public static class ServiceAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter(@Advice.Argument(0) javax.servlet.ServletRequest request,
                                     @Advice.Local("jdiagRoute") Object route, @Advice.Local("jdiagStart") long start) {
                if (request instanceof javax.servlet.http.HttpServletRequest) {
                    javax.servlet.http.HttpServletRequest r = (javax.servlet.http.HttpServletRequest) request;
                    start = System.nanoTime();
                    // Servlet 3 has no getHttpServletMapping: the route comes from servlet path and path info
                    boolean redispatch = r.getDispatcherType() != javax.servlet.DispatcherType.REQUEST;
                    route = HttpHooks.servletEnter(r, r.getMethod(), r.getContextPath(), null, r.getServletPath(),
                            r.getPathInfo(), start, redispatch, redispatch ? r.getAttribute(HttpHooks.ROUTE_ATTRIBUTE) : null);
                }
            }

            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.Argument(0) javax.servlet.ServletRequest request,
                                    @Advice.Argument(1) javax.servlet.ServletResponse response,
                                    @Advice.Thrown Throwable thrown,
                                    @Advice.Local("jdiagRoute") Object route, @Advice.Local("jdiagStart") long start) {
                if (route != null) {
                    boolean async = request.isAsyncStarted();
                    if (async) {
                        Object listener = HttpHooks.asyncListener(javax.servlet.AsyncListener.class, request, route, start);
                        if (listener != null) {
                            request.getAsyncContext().addListener((javax.servlet.AsyncListener) listener);
                        }
                    }
                    int status = response instanceof javax.servlet.http.HttpServletResponse
                            ? ((javax.servlet.http.HttpServletResponse) response).getStatus() : 200;
                    if (HttpHooks.servletExit(request, route, start, status, thrown, async)) {
                        request.setAttribute(HttpHooks.ROUTE_ATTRIBUTE, route);
                    }
                }
            }
        }
    }
}
