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
 * {@code Object.wait}. On JDK 21+ every overload is Java code; on JDK 11-20 {@code wait(long)} is
 * native, and only {@code wait()} and {@code wait(long, int)} can be woven (the stall watchdog sees
 * the rest when a wait holds the loop long enough).
 */
public final class ObjectWaitInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named("java.lang.Object");
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("wait").and(not(isNative())), BlockingAdvice.AlwaysAdvice.class.getName());
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList("java.lang.Object");
    }
}
