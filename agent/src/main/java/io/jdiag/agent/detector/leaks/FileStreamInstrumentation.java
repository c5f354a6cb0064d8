package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code FileInputStream}, {@code FileOutputStream}, {@code RandomAccessFile}: every opening
 * constructor takes a {@code File} (the {@code String} ones delegate to it), and {@code close()}.
 */
public final class FileStreamInstrumentation implements TypeInstrumentation {
    static final List<String> TYPES = Arrays.asList(
            "java.io.FileInputStream", "java.io.FileOutputStream", "java.io.RandomAccessFile");

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(TYPES.toArray(new String[0]));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(isConstructor().and(takesArgument(0, File.class)), FileStreamInstrumentation.class.getName() + "$OpenAdvice");
        advice.apply(named("close").and(takesArguments(0)), FileStreamInstrumentation.class.getName() + "$CloseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return TYPES;
    }

    public static class OpenAdvice {
        // Constructor exit advice runs only when the constructor completed: a failed open is no resource.
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object self, @Advice.Argument(0) Object file) {
            LeaksHooks.opened(self, "file", file);
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            LeaksHooks.closed(self);
        }
    }
}
