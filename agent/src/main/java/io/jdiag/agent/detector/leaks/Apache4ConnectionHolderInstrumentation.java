package io.jdiag.agent.detector.leaks;

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
 * The release of an Apache HttpClient 4 response ({@link Apache4ResponseInstrumentation}): the
 * {@code ConnectionHolder} gives its connection back to the manager in {@code releaseConnection(boolean)}
 * (response closed, entity read to the end or consumed) or {@code abortConnection()} (aborted, cancelled).
 */
public final class Apache4ConnectionHolderInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.http.impl.execchain.ConnectionHolder";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("releaseConnection").and(takesArguments(boolean.class))
                        .or(named("abortConnection").and(takesArguments(0))),
                Apache4ConnectionHolderInstrumentation.class.getName() + "$ReleaseAdvice");
    }

    /** A library type: checked by the installer when the application has it loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            LeaksHooks.closed(self);
        }
    }
}
