package io.jdiag.agent.detector.serialization;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.SerializationHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Jackson databind's entry points: {@code ObjectMapper}, {@code ObjectWriter} ({@code writeValue*}) and
 * {@code ObjectReader} ({@code readValue}, {@code readTree}). The advice names no Jackson type — values,
 * inputs and results are {@code Object}s — so it is the same for every Jackson 2.x, and the agent needs
 * no Jackson of its own on the application's side. (The agent's own, relocated, {@code jackson-core}
 * has no databind: the names matched here are never rewritten by the shading.)
 */
public final class JacksonInstrumentation {
    static final String MAPPER = "com.fasterxml.jackson.databind.ObjectMapper";
    static final String WRITER = "com.fasterxml.jackson.databind.ObjectWriter";
    static final String READER = "com.fasterxml.jackson.databind.ObjectReader";

    private JacksonInstrumentation() {}

    /** {@code writeValueAsString(Object)}, {@code writeValueAsBytes(Object)}: the value first, the result sized. */
    static final ElementMatcher<MethodDescription> WRITE_VALUE_AS =
            namedOneOf("writeValueAsString", "writeValueAsBytes").and(isPublic()).and(takesArguments(1));
    /** {@code writeValue(target, Object)}: to a file, stream, writer, {@code DataOutput} or {@code JsonGenerator}. */
    static final ElementMatcher<MethodDescription> WRITE_VALUE =
            named("writeValue").and(isPublic()).and(takesArguments(2));
    /** Every {@code readValue} and {@code readTree} overload: the input first. */
    static final ElementMatcher<MethodDescription> READ =
            namedOneOf("readValue", "readTree").and(isPublic()).and(net.bytebuddy.matcher.ElementMatchers.not(takesArguments(0)));

    /** The methods of one of the three types. */
    abstract static class JacksonType implements TypeInstrumentation {
        private final String type;
        private final boolean writes;
        private final boolean reads;

        JacksonType(String type, boolean writes, boolean reads) {
            this.type = type;
            this.writes = writes;
            this.reads = reads;
        }

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(type);
        }

        @Override
        public void transform(AdviceTarget advice) {
            String self = JacksonInstrumentation.class.getName();
            if (writes) {
                advice.apply(WRITE_VALUE_AS, self + "$WriteValueAsAdvice");
                advice.apply(WRITE_VALUE, self + "$WriteValueAdvice");
            }
            if (reads) {
                advice.apply(READ, self + "$ReadAdvice");
            }
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(type);
        }
    }

    /** {@code ObjectMapper} (and {@code JsonMapper}, which inherits these methods). */
    public static final class Mapper extends JacksonType {
        public Mapper() {
            super(MAPPER, true, true);
        }
    }

    public static final class Writer extends JacksonType {
        public Writer() {
            super(WRITER, true, false);
        }
    }

    public static final class Reader extends JacksonType {
        public Reader() {
            super(READER, false, true);
        }
    }

    public static class WriteValueAsAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return SerializationHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Argument(0) Object value, @Advice.Return Object result) {
            SerializationHooks.exit(frame, SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, value, result);
        }
    }

    public static class WriteValueAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return SerializationHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Argument(1) Object value) {
            SerializationHooks.exit(frame, SerializationHooks.JACKSON, SerializationHooks.SERIALIZE, value, null);
        }
    }

    public static class ReadAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return SerializationHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.Argument(0) Object input, @Advice.Return Object result) {
            SerializationHooks.exit(frame, SerializationHooks.JACKSON, SerializationHooks.DESERIALIZE, result, input);
        }
    }
}
