package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

import io.jdiag.agent.core.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The JDK's waits for work, marking a loop idle while it is inside them (the stall watchdog must not
 * take a quiet loop for a stuck one): the NIO selector ({@code SelectorImpl.lockAndDoSelect}, behind
 * every {@code select}: Netty's NIO loops) and an executor's wait for its next task
 * ({@code ThreadPoolExecutor.getTask}: threads named by {@code blocking.threads} that are pool workers).
 * On any other thread the hooks cost one table look-up.
 */
public final class LoopIdleInstrumentation implements TypeInstrumentation {
    static final String SELECTOR = "sun.nio.ch.SelectorImpl";
    static final String POOL = "java.util.concurrent.ThreadPoolExecutor";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(SELECTOR, POOL);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(namedOneOf("lockAndDoSelect", "getTask"), BlockingAdvice.IdleAdvice.class.getName());
    }

    @Override
    public List<String> requiredTypes() {
        return Arrays.asList(SELECTOR, POOL);
    }
}
