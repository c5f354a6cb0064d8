package io.jdiag.agent.detector.buffering;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BufferingHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** OkHttp's {@code ResponseBody.bytes()} and {@code string()}: the whole response body in memory. */
public final class OkHttpBodyInstrumentation implements TypeInstrumentation {
    static final String TYPE = "okhttp3.ResponseBody";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(namedOneOf("bytes", "string").and(takesArguments(0)),
                OkHttpBodyInstrumentation.class.getName() + "$WholeBodyAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class WholeBodyAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BufferingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.This Object self, @Advice.Return Object body,
                                @Advice.Origin("#t.#m") String api) {
            BufferingHooks.exit(frame, BufferingHooks.HTTP_CLIENT_RESPONSE, api, self, body);
        }
    }
}
