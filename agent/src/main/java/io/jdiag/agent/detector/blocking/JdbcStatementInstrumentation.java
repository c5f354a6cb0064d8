package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BlockingHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * JDBC: the {@code execute*} methods of every {@code java.sql.Statement} implementation (drivers,
 * pool proxies). The call is named by the interface ({@code java.sql.Statement.executeQuery}), so the
 * label does not depend on the driver; a pool's proxy and the driver's statement nest into one call.
 */
public final class JdbcStatementInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        // A name check first: every class the application loads is asked, and only JDBC statements
        // (PgStatement, JdbcPreparedStatement, HikariProxyStatement, ...) may pay for parsing and the
        // hierarchy walk. A class whose hierarchy cannot be resolved (an optional dependency absent)
        // is one class the installer skips, not this detector failing.
        return nameContains("Statement").and(not(isInterface()))
                .and(not(nameStartsWith("java.")).and(not(nameStartsWith("jdk."))).and(not(nameStartsWith("sun."))))
                .and(hasSuperType(named("java.sql.Statement")));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(nameStartsWith("execute").and(isPublic()).and(not(isAbstract())),
                JdbcStatementInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    public static class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter() {
            return BlockingHooks.enter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Object loop, @Advice.Origin("java.sql.Statement.#m") String call) {
            BlockingHooks.exit(loop, call);
        }
    }
}
