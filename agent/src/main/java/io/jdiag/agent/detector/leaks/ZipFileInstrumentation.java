package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.io.File;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code ZipFile} and its subclass {@code JarFile}: every opening constructor ends in one taking a {@code File}. */
public final class ZipFileInstrumentation implements TypeInstrumentation {
    static final String TYPE = "java.util.zip.ZipFile";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(isConstructor().and(takesArgument(0, File.class)), ZipFileInstrumentation.class.getName() + "$OpenAdvice");
        advice.apply(named("close").and(takesArguments(0)), ZipFileInstrumentation.class.getName() + "$CloseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class OpenAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object self, @Advice.Argument(0) Object file) {
            LeaksHooks.opened(self, "zip", file);
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            LeaksHooks.closed(self);
        }
    }
}
