package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpHooks;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Spring WebFlux (5.0+), on Reactor Netty or a servlet container: the route is the pattern of the
 * handler that matched, from the exchange attribute {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}
 * (a {@code PathPattern}), under the exchange's context path. {@code DispatcherHandler.handle} keeps the
 * request's route in the exchange (the handler may be matched and invoked on another thread than the
 * one that read the request) and marks it {@code unmatched}; the handler adapter that invokes the
 * matched handler names the template. The advice calls only {@code spring-web} interfaces that have
 * not changed since 5.0.
 */
public final class SpringWebFluxInstrumentation {
    static final String DISPATCHER_HANDLER = "org.springframework.web.reactive.DispatcherHandler";
    static final String EXCHANGE = "org.springframework.web.server.ServerWebExchange";
    static final String BEST_MATCHING_PATTERN = "org.springframework.web.reactive.HandlerMapping.bestMatchingPattern";
    /** The handler adapters Spring ships: annotated controllers, functional routes, plain {@code WebHandler}s (resources), WebSocket. */
    static final List<String> ADAPTERS = Arrays.asList(
            "org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerAdapter",
            "org.springframework.web.reactive.function.server.support.HandlerFunctionAdapter",
            "org.springframework.web.reactive.result.SimpleHandlerAdapter",
            "org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter");

    private SpringWebFluxInstrumentation() {}

    /** {@code DispatcherHandler.handle(exchange)}. */
    public static final class Dispatcher implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(DISPATCHER_HANDLER);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("handle").and(takesArguments(1)).and(takesArgument(0, named(EXCHANGE))),
                    Dispatcher.class.getName() + "$HandleAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(DISPATCHER_HANDLER);
        }

        public static class HandleAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter(@Advice.Argument(0) org.springframework.web.server.ServerWebExchange exchange) {
                HttpHooks.frameworkExchange(exchange.getAttributes());
            }
        }
    }

    /** {@code HandlerAdapter.handle(exchange, handler)} of Spring's adapters. */
    public static final class Adapters implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return namedOneOf(ADAPTERS.toArray(new String[0]));
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("handle").and(takesArguments(2)).and(takesArgument(0, named(EXCHANGE))),
                    Adapters.class.getName() + "$HandleAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return ADAPTERS.subList(0, 3);
        }

        public static class HandleAdvice {
            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter(@Advice.Argument(0) org.springframework.web.server.ServerWebExchange exchange) {
                java.util.Map<String, Object> attributes = exchange.getAttributes();
                HttpHooks.frameworkRoute(attributes.get(HttpHooks.ROUTE_ATTRIBUTE),
                        exchange.getRequest().getPath().contextPath().value(), attributes.get(BEST_MATCHING_PATTERN));
            }
        }
    }
}
