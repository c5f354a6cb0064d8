package io.jdiag.agent.detector.buffering;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.LibraryPresent;
import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BufferingHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ServletRequest.getInputStream()} of every request class (the container's and wrappers), for
 * the Jakarta and javax namespaces: the body stream is remembered with the request's declared
 * {@code Content-Length} when that is past the threshold, so that reading it whole is critical.
 * Whole reads of the stream themselves are seen by {@link InputStreamInstrumentation}.
 */
public final class ServletBodyInstrumentation {
    private ServletBodyInstrumentation() {}

    static ElementMatcher<TypeDescription> requests(String requestInterface) {
        // cheap checks first: only classes that declare getInputStream() pay for the hierarchy walk
        // a name check first, so only request classes pay for parsing: Tomcat's Request and
        // RequestFacade, Jetty's ServletApiRequest, Undertow's HttpServletRequestImpl, wrappers
        return nameEndsWith("Request").or(nameEndsWith("RequestFacade")).or(nameEndsWith("RequestImpl"))
                .or(nameEndsWith("RequestWrapper")).and(not(nameContains("$$"))).and(not(isInterface()))
                .and(declaresMethod(named("getInputStream").and(takesArguments(0))))
                .and(hasSuperType(named(requestInterface)));
    }

    static final ElementMatcher<MethodDescription> GET_INPUT_STREAM =
            named("getInputStream").and(takesArguments(0)).and(isPublic()).and(not(isAbstract()));

    /** Jakarta Servlet 5+. */
    public static final class Jakarta implements TypeInstrumentation {
        private final LibraryPresent servletApi = new LibraryPresent("jakarta.servlet.ServletRequest");

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return requests("jakarta.servlet.ServletRequest");
        }

        @Override
        public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
            return servletApi;
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(GET_INPUT_STREAM, Jakarta.class.getName() + "$GetInputStreamAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList("jakarta.servlet.ServletRequestWrapper");
        }

        public static class GetInputStreamAdvice {
            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.This jakarta.servlet.ServletRequest self, @Advice.Return Object stream) {
                BufferingHooks.servletBody(stream, self.getContentLengthLong());
            }
        }
    }

    /** javax Servlet 3.1+. */
    public static final class Javax implements TypeInstrumentation {
        private final LibraryPresent servletApi = new LibraryPresent("javax.servlet.ServletRequest");

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return requests("javax.servlet.ServletRequest");
        }

        @Override
        public ElementMatcher<? super ClassLoader> classLoaderMatcher() {
            return servletApi;
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(GET_INPUT_STREAM, Javax.class.getName() + "$GetInputStreamAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList("javax.servlet.ServletRequestWrapper");
        }

        public static class GetInputStreamAdvice {
            @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
            public static void exit(@Advice.This javax.servlet.ServletRequest self, @Advice.Return Object stream) {
                BufferingHooks.servletBody(stream, self.getContentLengthLong());
            }
        }
    }
}
