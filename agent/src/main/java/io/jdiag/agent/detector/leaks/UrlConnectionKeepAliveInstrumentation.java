package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
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
 * The release of an {@code HttpURLConnection} response ({@link UrlConnectionResponseInstrumentation}):
 * {@code sun.net.www.http.HttpClient.finished()} puts the connection back into the keep-alive cache
 * (the body stream calls it on {@code close()}, and by itself once the body was read to the end, so a
 * stream read to EOF is released, not leaked); {@code closeServer()} closes it (on {@code disconnect()},
 * on errors, for the https subclass too).
 */
public final class UrlConnectionKeepAliveInstrumentation implements TypeInstrumentation {
    static final String TYPE = "sun.net.www.http.HttpClient";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(namedOneOf("finished", "closeServer").and(takesArguments(0)),
                UrlConnectionKeepAliveInstrumentation.class.getName() + "$ReleaseAdvice");
    }

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
