package io.jdiag.agent.detector.pools;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.PoolsHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Apache HttpClient 4's {@code PoolingHttpClientConnectionManager}: {@code leaseConnection(future,
 * timeout, unit)}, where every lease waits for its pool entry and which returns the {@code CPoolProxy}
 * handed to the client (or throws {@code ConnectionPoolTimeoutException}), and
 * {@code releaseConnection(connection, state, keepAlive, unit)}, where it comes back.
 */
public final class Apache4ConnManagerInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.http.impl.conn.PoolingHttpClientConnectionManager";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = Apache4ConnManagerInstrumentation.class.getName();
        advice.apply(named("leaseConnection").and(takesArguments(3)), self + "$LeaseAdvice");
        advice.apply(named("releaseConnection").and(takesArguments(4)), self + "$ReleaseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class LeaseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return PoolsHooks.acquireStart();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object manager, @Advice.Return Object connection,
                                @Advice.Thrown Throwable thrown, @Advice.Enter long start) {
            PoolsHooks.acquireEnded(PoolsHooks.APACHE4, manager, connection, thrown, start);
        }
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Object connection) {
            PoolsHooks.released(PoolsHooks.APACHE4, connection);
        }
    }
}
