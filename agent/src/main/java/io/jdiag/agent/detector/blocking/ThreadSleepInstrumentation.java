package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.jdiag.agent.core.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code Thread.sleep}. On JDK 21+ every overload is Java code; on JDK 11-20 {@code sleep(long)} is a
 * native method with no body to weave into (only {@code sleep(long, int)}, which {@code TimeUnit.sleep}
 * uses, is Java). A native sleep on a loop is caught by the stall watchdog's stack sample instead,
 * when it holds the loop longer than {@code blocking.stall.threshold}.
 */
public final class ThreadSleepInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named("java.lang.Thread");
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("sleep").and(not(isNative())), BlockingAdvice.AlwaysAdvice.class.getName());
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList("java.lang.Thread");
    }
}
