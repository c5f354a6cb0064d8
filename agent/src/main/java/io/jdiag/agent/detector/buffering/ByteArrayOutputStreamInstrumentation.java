package io.jdiag.agent.detector.buffering;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BufferingHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code java.io.ByteArrayOutputStream}: its private {@code ensureCapacity(int)}, which every write
 * runs (JDK 11 to 25), compares the buffer's length before and after: two field reads per write, and
 * a call to the hook only when the buffer grew past the threshold. The {@code (int size)} constructor
 * catches a buffer made large up front; {@code toByteArray()} measures what is taken out whole.
 */
public final class ByteArrayOutputStreamInstrumentation implements TypeInstrumentation {
    static final String TYPE = "java.io.ByteArrayOutputStream";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = ByteArrayOutputStreamInstrumentation.class.getName();
        advice.apply(named("ensureCapacity").and(takesArguments(int.class)), self + "$GrowAdvice");
        advice.apply(isConstructor().and(takesArguments(int.class)), self + "$SizedAdvice");
        advice.apply(named("toByteArray").and(takesArguments(0)), self + "$ToByteArrayAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class GrowAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static int enter(@Advice.FieldValue("buf") byte[] buf) {
            return buf.length;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter int before, @Advice.This Object self, @Advice.FieldValue("buf") byte[] buf) {
            BufferingHooks.capacity(self, before, buf.length);
        }
    }

    public static class SizedAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object self, @Advice.Argument(0) int size) {
            BufferingHooks.capacity(self, 0, size);
        }
    }

    public static class ToByteArrayAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BufferingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.This Object self, @Advice.Return byte[] bytes) {
            BufferingHooks.exit(frame, BufferingHooks.BYTE_ARRAY_OUTPUT_STREAM, TYPE + ".toByteArray", self, bytes);
        }
    }
}
