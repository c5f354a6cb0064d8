package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code DriverManager.getConnection}: every public overload ends in the private
 * {@code getConnection(url, properties, caller)}, which returns the driver's connection. The URL is
 * not kept (it may hold a password).
 */
public final class JdbcDriverManagerInstrumentation implements TypeInstrumentation {
    static final String TYPE = "java.sql.DriverManager";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("getConnection").and(takesArguments(3)).and(net.bytebuddy.matcher.ElementMatchers.isPrivate()),
                JdbcDriverManagerInstrumentation.class.getName() + "$GetConnectionAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class GetConnectionAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Return Object connection) {
            LeaksHooks.opened(connection, "jdbc_connection", null);
        }
    }
}
