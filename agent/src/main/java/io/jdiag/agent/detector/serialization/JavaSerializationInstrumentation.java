package io.jdiag.agent.detector.serialization;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.SerializationHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Java serialization: {@code ObjectOutputStream.writeObject(Object)} and {@code ObjectInputStream.readObject()}.
 * Classes with their own {@code writeObject}/{@code readObject} call these again for their fields; only the
 * outermost call is counted. The size is not measurable here (the stream's target is the application's).
 */
public final class JavaSerializationInstrumentation {
    private JavaSerializationInstrumentation() {}

    public static final class Output implements TypeInstrumentation {
        static final String TYPE = "java.io.ObjectOutputStream";

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(TYPE);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("writeObject").and(isPublic()).and(takesArguments(Object.class)),
                    JavaSerializationInstrumentation.class.getName() + "$WriteObjectAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(TYPE);
        }
    }

    public static final class Input implements TypeInstrumentation {
        static final String TYPE = "java.io.ObjectInputStream";

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(TYPE);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("readObject").and(isPublic()).and(takesArguments(0)),
                    JavaSerializationInstrumentation.class.getName() + "$ReadObjectAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(TYPE);
        }
    }

    public static class WriteObjectAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return SerializationHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Argument(0) Object value) {
            SerializationHooks.exit(frame, SerializationHooks.JAVA, SerializationHooks.SERIALIZE, value, null);
        }
    }

    public static class ReadObjectAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return SerializationHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Return Object result) {
            SerializationHooks.exit(frame, SerializationHooks.JAVA, SerializationHooks.DESERIALIZE, result, null);
        }
    }
}
