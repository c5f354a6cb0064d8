package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BlockingHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code LockSupport.park*}: every wait of {@code java.util.concurrent} ends here. Inside an outer
 * blocking call (a future's {@code get}) it only marks that the call really waited; alone (lock
 * contention, a queue's {@code take}) it is reported as {@code LockSupport.park}. A loop's own wait
 * for work never parks on Netty's I/O loops (they wait in the selector), and is told apart by the idle
 * hooks on executors.
 */
public final class LockSupportInstrumentation implements TypeInstrumentation {
    static final String TYPE = "java.util.concurrent.locks.LockSupport";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(nameStartsWith("park"), LockSupportInstrumentation.class.getName() + "$ParkAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ParkAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BlockingHooks.enterPark();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object loop, @Advice.Origin("#t.#m") String call) {
            BlockingHooks.exit(loop, call);
        }
    }
}
