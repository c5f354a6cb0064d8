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
 * Tomcat JDBC's {@code ConnectionPool}: {@code borrowConnection(int wait, String user, String password)},
 * where every acquire waits and which returns the connection's {@code PooledConnection} (or throws
 * {@code PoolExhaustedException} on timeout), and {@code returnConnection(PooledConnection[, boolean])},
 * where the proxy's {@code close()} gives it back.
 */
public final class TomcatConnectionPoolInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.tomcat.jdbc.pool.ConnectionPool";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = TomcatConnectionPoolInstrumentation.class.getName();
        advice.apply(named("borrowConnection").and(takesArguments(3)).and(takesArgument(0, int.class)), self + "$BorrowAdvice");
        advice.apply(named("returnConnection").and(takesArgument(0, named("org.apache.tomcat.jdbc.pool.PooledConnection"))),
                self + "$ReturnAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class BorrowAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return PoolsHooks.acquireStart();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object pool, @Advice.Return Object connection,
                                @Advice.Thrown Throwable thrown, @Advice.Enter long start) {
            PoolsHooks.acquireEnded(PoolsHooks.TOMCAT, pool, connection, thrown, start);
        }
    }

    public static class ReturnAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Object connection) {
            PoolsHooks.released(PoolsHooks.TOMCAT, connection);
        }
    }
}
