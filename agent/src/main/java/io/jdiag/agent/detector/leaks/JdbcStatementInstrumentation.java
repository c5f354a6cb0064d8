package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * JDBC statements of the drivers: the result sets they hand out ({@code executeQuery},
 * {@code getResultSet}, {@code getGeneratedKeys}), which belong to them (a new one closes the earlier
 * ones, as JDBC says), and {@code close()}, which closes the statement and its result sets.
 */
public final class JdbcStatementInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return nameContains("Statement").and(not(isInterface()))
                .and(declaresMethod(namedOneOf("executeQuery", "getResultSet", "getGeneratedKeys")))
                .and(not(JdbcConnectionInstrumentation.POOLS))
                .and(hasSuperType(named("java.sql.Statement")));
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = JdbcStatementInstrumentation.class.getName();
        advice.apply(namedOneOf("executeQuery", "getResultSet", "getGeneratedKeys").and(not(isAbstract())), self + "$ResultSetAdvice");
        advice.apply(named("close").and(takesArguments(0)).and(not(isAbstract())), self + "$CloseAdvice");
    }

    public static class ResultSetAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object statement, @Advice.Return Object resultSet) {
            LeaksHooks.openedBy(resultSet, "jdbc_resultset", statement);
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object statement) {
            LeaksHooks.closedWithChildren(statement);
        }
    }
}
