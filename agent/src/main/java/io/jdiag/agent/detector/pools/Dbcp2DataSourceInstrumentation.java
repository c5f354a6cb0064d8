package io.jdiag.agent.detector.pools;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.PoolsHooks;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Commons DBCP2's acquire: {@code PoolingDataSource.getConnection()}, which {@code BasicDataSource}
 * delegates to; it borrows a {@code PoolableConnection} from its {@code GenericObjectPool} and hands
 * out a guard wrapping it. Also Tomcat's repackaged copy ({@code org.apache.tomcat.dbcp.dbcp2}), the
 * pool behind Tomcat's JNDI data sources.
 */
public final class Dbcp2DataSourceInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.commons.dbcp2.PoolingDataSource";
    static final String TOMCAT_TYPE = "org.apache.tomcat.dbcp.dbcp2.PoolingDataSource";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(TYPE, TOMCAT_TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("getConnection").and(takesArguments(0)),
                Dbcp2DataSourceInstrumentation.class.getName() + "$GetConnectionAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Arrays.asList(TYPE, TOMCAT_TYPE);
    }

    public static class GetConnectionAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return PoolsHooks.acquireStart();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object pool, @Advice.Return Object connection,
                                @Advice.Thrown Throwable thrown, @Advice.Enter long start) {
            PoolsHooks.acquireEnded(PoolsHooks.DBCP2, pool, connection, thrown, start);
        }
    }
}
