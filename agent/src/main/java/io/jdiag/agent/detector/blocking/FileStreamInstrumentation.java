package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BlockingHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * File streams: {@code FileInputStream} reads and {@code FileOutputStream} writes (two target types,
 * one advice each, nested here). Their path and descriptor go with the call, so that writes to the
 * console and reads of {@code /dev/urandom} ({@code SecureRandom}, {@code UUID.randomUUID}) are left
 * out. {@code RandomAccessFile} is not woven: the JVM reads class files from jars through it on
 * whatever thread first uses a class.
 */
public final class FileStreamInstrumentation {
    private FileStreamInstrumentation() {}

    /** {@code java.io.FileInputStream}. */
    public static final class Input implements TypeInstrumentation {
        static final String TYPE = "java.io.FileInputStream";

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(TYPE);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(namedOneOf("read", "readAllBytes", "readNBytes", "skip", "transferTo").and(isPublic()),
                    FileStreamInstrumentation.class.getName() + "$ReadAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(TYPE);
        }
    }

    /** {@code java.io.FileOutputStream}. */
    public static final class Output implements TypeInstrumentation {
        static final String TYPE = "java.io.FileOutputStream";

        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return named(TYPE);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("write").and(isPublic()), FileStreamInstrumentation.class.getName() + "$WriteAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(TYPE);
        }
    }

    public static class ReadAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BlockingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object loop, @Advice.Origin("#t.#m") String call,
                                @Advice.FieldValue("path") String path, @Advice.FieldValue("fd") Object fd) {
            BlockingHooks.exitFile(loop, call, path, fd);
        }
    }

    public static class WriteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BlockingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object loop, @Advice.Origin("#t.#m") String call,
                                @Advice.FieldValue("path") String path, @Advice.FieldValue("fd") Object fd) {
            BlockingHooks.exitFile(loop, call, path, fd);
        }
    }
}
