package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code ResultSet.close()} of the drivers' result sets (opened through {@link JdbcStatementInstrumentation}). */
public final class JdbcResultSetInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        // cheap checks first: a result set declares getString(...) next to its close()
        return nameContains("ResultSet").and(not(isInterface())).and(declaresMethod(named("close").and(takesArguments(0))))
                .and(declaresMethod(named("getString").and(takesArguments(1))))
                .and(not(JdbcConnectionInstrumentation.POOLS))
                .and(hasSuperType(named("java.sql.ResultSet")));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("close").and(takesArguments(0)).and(not(isAbstract())),
                JdbcResultSetInstrumentation.class.getName() + "$CloseAdvice");
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object resultSet) {
            LeaksHooks.closed(resultSet);
        }
    }
}
