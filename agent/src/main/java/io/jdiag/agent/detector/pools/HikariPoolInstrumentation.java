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
 * HikariCP's {@code HikariPool}: its acquire, {@code getConnection(long timeout)}, which every
 * {@code HikariDataSource.getConnection()} ends in, retries for dead connections included (it returns
 * the {@code ProxyConnection} handed to the application, or throws {@code SQLTransientConnectionException}
 * when it timed out), and its return, {@code recycle(PoolEntry)}, which the first
 * {@code ProxyConnection.close()} calls once the entry's {@code lastAccessed} time is set and before the
 * entry is back in the pool (so the agent reads that time instead of the clock).
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
        advice.apply(named("recycle").and(takesArguments(1)).and(takesArgument(0, named("com.zaxxer.hikari.pool.PoolEntry"))),
                HikariPoolInstrumentation.class.getName() + "$RecycleAdvice");
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

    public static class RecycleAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Object entry) {
            PoolsHooks.released(PoolsHooks.HIKARI, entry);
        }
    }
}
