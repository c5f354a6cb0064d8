package io.jdiag.agent.detector.serialization;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.SerializationHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code com.google.gson.Gson}: every {@code toJson} (the value first; a {@code String} result when it
 * returns one) and every {@code fromJson} (the input first). The overloads delegate to one another;
 * the outermost is counted.
 */
public final class GsonInstrumentation implements TypeInstrumentation {
    static final String TYPE = "com.google.gson.Gson";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = GsonInstrumentation.class.getName();
        advice.apply(named("toJson").and(isPublic()).and(not(takesArguments(0))), self + "$ToJsonAdvice");
        advice.apply(named("fromJson").and(isPublic()).and(not(takesArguments(0))), self + "$FromJsonAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ToJsonAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return SerializationHooks.enter();
        }

        /** The {@code Appendable}/{@code JsonWriter} overloads return nothing: {@code result} is then null. */
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Argument(0) Object value,
                                @Advice.Return(typing = Assigner.Typing.DYNAMIC) Object result) {
            SerializationHooks.exit(frame, SerializationHooks.GSON, SerializationHooks.SERIALIZE, value, result);
        }
    }

    public static class FromJsonAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return SerializationHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Argument(0) Object input, @Advice.Return Object result) {
            SerializationHooks.exit(frame, SerializationHooks.GSON, SerializationHooks.DESERIALIZE, result, input);
        }
    }
}
