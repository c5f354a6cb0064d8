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
 * {@code java.io.ByteArrayOutputStream}: at the start of its private {@code ensureCapacity(int)}, which
 * every write runs (JDK 11 to 25), the buffer's length is compared with the room asked for: one field
 * read and one comparison per write, and the threshold is looked at only when the buffer grows. No advice hands the stream itself
 * to a hook, so a stream that never leaves its method keeps its lock-free writes. The {@code (int size)} constructor
 * catches a buffer made large up front.
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
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class GrowAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue("buf") byte[] buf, @Advice.Argument(0) int minCapacity) {
            BufferingHooks.ensureCapacity(buf.length, minCapacity);
        }
    }

    public static class SizedAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) int size) {
            BufferingHooks.grows(0, size);
        }
    }
}
