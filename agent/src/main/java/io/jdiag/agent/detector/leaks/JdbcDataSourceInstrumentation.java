package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Connections of unpooled data sources ({@code PGSimpleDataSource}, H2's {@code JdbcDataSource}, ...):
 * {@code getConnection()} and {@code getConnection(user, password)} of any data source but the pools
 * (HikariCP, DBCP2, Tomcat: a pooled connection is the {@code pools} detector's, and giving it back is
 * its close), Spring's delegating data sources and generated proxies. A connection reported again by a
 * nested call (a data source going through {@code DriverManager}) is tracked once.
 */
public final class JdbcDataSourceInstrumentation implements TypeInstrumentation {
    static ElementMatcher.Junction<MethodDescription> getConnection() {
        return named("getConnection").and(not(isAbstract()))
                .and(takesArguments(0).or(takesArguments(2).and(takesArgument(0, String.class)).and(takesArgument(1, String.class))));
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return nameContains("DataSource").and(not(isInterface())).and(declaresMethod(getConnection()))
                .and(not(JdbcConnectionInstrumentation.POOLS))
                .and(not(nameStartsWith("org.springframework.")))
                .and(not(nameContains("$$")))
                .and(hasSuperType(named("javax.sql.CommonDataSource")));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(getConnection(), JdbcDataSourceInstrumentation.class.getName() + "$GetConnectionAdvice");
    }

    public static class GetConnectionAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Return Object connection) {
            LeaksHooks.opened(connection, "jdbc_connection", null);
        }
    }
}
