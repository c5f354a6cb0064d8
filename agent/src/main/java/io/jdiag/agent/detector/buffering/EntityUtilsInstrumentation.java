package io.jdiag.agent.detector.buffering;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BufferingHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Apache HttpCore's {@code EntityUtils.toByteArray} and {@code toString}, which read a response
 * entity whole: HttpCore 4 ({@code org.apache.http.util}) and 5 ({@code org.apache.hc.core5.http.io.entity}).
 * The overloads call each other; the outermost is counted.
 */
public final class EntityUtilsInstrumentation {
    private EntityUtilsInstrumentation() {}

    static ElementMatcher<MethodDescription> wholeReads(String entityType) {
        return namedOneOf("toByteArray", "toString").and(isStatic()).and(isPublic())
                .and(takesArgument(0, named(entityType)));
    }

    /** HttpCore 4. */
    public static final class Apache4 implements TypeInstrumentation {
        static final String TYPE = "org.apache.http.util.EntityUtils";

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(TYPE);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(wholeReads("org.apache.http.HttpEntity"), EntityUtilsInstrumentation.class.getName() + "$WholeEntityAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(TYPE);
        }
    }

    /** HttpCore 5. */
    public static final class Apache5 implements TypeInstrumentation {
        static final String TYPE = "org.apache.hc.core5.http.io.entity.EntityUtils";

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(TYPE);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(wholeReads("org.apache.hc.core5.http.HttpEntity"),
                    EntityUtilsInstrumentation.class.getName() + "$WholeEntityAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(TYPE);
        }
    }

    public static class WholeEntityAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BufferingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Argument(0) Object entity, @Advice.Return Object body,
                                @Advice.Origin("#t.#m") String api) {
            BufferingHooks.exit(frame, BufferingHooks.HTTP_CLIENT_RESPONSE, api, entity, body);
        }
    }
}
