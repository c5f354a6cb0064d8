package io.jdiag.agent.detector.pools;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.PoolsHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * HikariCP's acquire: {@code HikariPool.getConnection(long timeout)}, which every
 * {@code HikariDataSource.getConnection()} ends in, retries for dead connections included. It returns
 * the {@code ProxyConnection} handed to the application, or throws {@code SQLTransientConnectionException}
 * when it timed out.
 */
public final class HikariPoolInstrumentation implements TypeInstrumentation {
    static final String TYPE = "com.zaxxer.hikari.pool.HikariPool";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("getConnection").and(takesArguments(1)).and(takesArgument(0, long.class)),
                HikariPoolInstrumentation.class.getName() + "$GetConnectionAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class GetConnectionAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return PoolsHooks.acquireStart();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object pool, @Advice.Return Object connection,
                                @Advice.Thrown Throwable thrown, @Advice.Enter long start) {
            PoolsHooks.acquireEnded(PoolsHooks.HIKARI, pool, connection, thrown, start);
        }
    }
}
