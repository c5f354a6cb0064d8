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
 * Spring MVC (3.1 to 7, {@code javax} and {@code jakarta}): the route of a request is the pattern of
 * the handler that matched it, as Spring exposes it in the request attribute
 * {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}: the combined class- and method-level
 * {@code @RequestMapping} pattern ({@code /orders/{id}}), a functional route's pattern, or a URL
 * handler's ({@code /**} for static resources). It is read once the handler's interceptors ran
 * ({@code HandlerExecutionChain.applyPreHandle}), when every mapping has set it (a URL handler
 * mapping sets it in an interceptor). A request for which {@code DispatcherServlet.getHandler}
 * found no handler is {@code unmatched}, not the {@code DispatcherServlet}'s mapping {@code /}.
 * The advice calls only the servlet API, so it needs no Spring classes to compile.
 */
public final class SpringMvcInstrumentation {
    static final String DISPATCHER_SERVLET = "org.springframework.web.servlet.DispatcherServlet";
    static final String HANDLER_CHAIN = "org.springframework.web.servlet.HandlerExecutionChain";
    static final String BEST_MATCHING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    private SpringMvcInstrumentation() {}

    /** {@code DispatcherServlet.getHandler(request)}: null means no handler matched. */
    public static final class Dispatcher implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(DISPATCHER_SERVLET);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("getHandler").and(takesArguments(1)), Dispatcher.class.getName() + "$GetHandlerAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(DISPATCHER_SERVLET);
        }

        public static class GetHandlerAdvice {
            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.Return Object chain, @Advice.Thrown Throwable thrown) {
                if (chain == null && thrown == null) {
                    HttpHooks.frameworkUnmatched(null);
                }
            }
        }
    }

    /** {@code HandlerExecutionChain.applyPreHandle(request, response)}: the best-matching pattern is set. */
    public static final class HandlerChain implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(HANDLER_CHAIN);
        }

        @Override
        public void transform(AdviceTarget advice) {
            String self = HandlerChain.class.getName();
            advice.apply(named("applyPreHandle").and(takesArguments(2))
                    .and(takesArgument(0, named("jakarta.servlet.http.HttpServletRequest"))), self + "$JakartaAdvice");
            advice.apply(named("applyPreHandle").and(takesArguments(2))
                    .and(takesArgument(0, named("javax.servlet.http.HttpServletRequest"))), self + "$JavaxAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(HANDLER_CHAIN);
        }

        public static class JakartaAdvice {
            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.Argument(0) jakarta.servlet.http.HttpServletRequest request) {
                HttpHooks.frameworkRoute(null, null, request.getAttribute(BEST_MATCHING_PATTERN));
            }
        }

        public static class JavaxAdvice {
            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.Argument(0) javax.servlet.http.HttpServletRequest request) {
                HttpHooks.frameworkRoute(null, null, request.getAttribute(BEST_MATCHING_PATTERN));
            }
        }
    }
}
