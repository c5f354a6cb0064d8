package io.jdiag.agent.detector.buffering;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
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

/**
 * {@code InputStream.readAllBytes()} and {@code readNBytes(int)}, in {@code java.io.InputStream}
 * (which every stream without its own version inherits: servlet bodies, sockets, HTTP responses) and
 * in the JDK streams that override them ({@code FileInputStream} from JDK 17,
 * {@code ChannelInputStream} behind {@code Files.newInputStream}, {@code ZipInputStream}).
 * {@code ByteArrayInputStream}'s are left out: its bytes are in memory already. A read that
 * delegates to another ({@code readAllBytes} → {@code readNBytes} → {@code super.readNBytes}) is
 * counted once, at the outermost call.
 */
public final class InputStreamInstrumentation implements TypeInstrumentation {
    static final String[] TYPES = {"java.io.InputStream", "java.io.FileInputStream", "sun.nio.ch.ChannelInputStream",
        "java.util.zip.ZipInputStream"};

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(TYPES);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = InputStreamInstrumentation.class.getName();
        advice.apply(named("readAllBytes").and(takesArguments(0)).and(isPublic()), self + "$ReadAllBytesAdvice");
        advice.apply(named("readNBytes").and(takesArguments(int.class)).and(isPublic()), self + "$ReadNBytesAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList("java.io.InputStream");
    }

    public static class ReadAllBytesAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BufferingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.This Object self, @Advice.Return byte[] bytes,
                                @Advice.Origin("#t.#m") String api) {
            BufferingHooks.exit(frame, BufferingHooks.INPUT_STREAM, api, self, bytes);
        }
    }

    public static class ReadNBytesAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter(@Advice.Argument(0) int len) {
            return BufferingHooks.enterBounded(len);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object frame, @Advice.This Object self, @Advice.Return byte[] bytes,
                                @Advice.Origin("#t.#m") String api) {
            BufferingHooks.exit(frame, BufferingHooks.INPUT_STREAM, api, self, bytes);
        }
    }
}
