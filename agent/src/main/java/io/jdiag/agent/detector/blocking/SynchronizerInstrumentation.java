package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.jdiag.agent.core.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The waits of {@code java.util.concurrent} that have a name users know: {@code Future.get}
 * ({@code FutureTask}, {@code CompletableFuture}, also {@code join}), {@code CountDownLatch.await},
 * {@code Semaphore.acquire*}/{@code tryAcquire}, {@code CyclicBarrier.await}. Reported only when
 * they parked: a {@code get} of a completed future does not block.
 */
public final class SynchronizerInstrumentation implements TypeInstrumentation {
    static final List<String> TYPES = Arrays.asList(
            "java.util.concurrent.FutureTask", "java.util.concurrent.CompletableFuture",
            "java.util.concurrent.CountDownLatch", "java.util.concurrent.Semaphore",
            "java.util.concurrent.CyclicBarrier");

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(TYPES.toArray(new String[0]));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(namedOneOf("get", "join", "await", "acquire", "acquireUninterruptibly", "tryAcquire")
                .and(isPublic()).and(not(isStatic())), BlockingAdvice.WaitAdvice.class.getName());
    }

    @Override
    public List<String> requiredTypes() {
        return TYPES;
    }
}
