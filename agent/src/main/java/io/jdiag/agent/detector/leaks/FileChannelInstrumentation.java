package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code sun.nio.ch.FileChannelImpl}, behind {@code FileChannel.open}, {@code Files.newByteChannel},
 * {@code Files.newInputStream/newOutputStream}. A channel with a {@code parent} belongs to a
 * stream ({@code FileInputStream.getChannel()}) that is already tracked, so it is skipped.
 */
public final class FileChannelInstrumentation implements TypeInstrumentation {
    static final String TYPE = "sun.nio.ch.FileChannelImpl";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(isConstructor(), FileChannelInstrumentation.class.getName() + "$OpenAdvice");
        advice.apply(named("implCloseChannel").and(takesArguments(0)), FileChannelInstrumentation.class.getName() + "$CloseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class OpenAdvice {
        // `parent` is Object on JDK 11-17 and Closeable on 21+; read as Object it fits both.
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object self, @Advice.FieldValue("path") String path,
                                @Advice.FieldValue("parent") Object parent) {
            if (parent == null) {
                LeaksHooks.opened(self, "file", path);
            }
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            LeaksHooks.closed(self);
        }
    }
}
