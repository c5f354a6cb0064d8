package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
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
        ElementMatcher<TypeDescription> statement = not(isInterface())
                .and(not(nameStartsWith("java.")).and(not(nameStartsWith("jdk."))).and(not(nameStartsWith("sun."))))
                .and(hasSuperType(named("java.sql.Statement")));
        // Every class of the application passes here. One whose hierarchy cannot be resolved (a library
        // class naming an optional dependency that is absent, as H2's geometry types do) is no
        // statement we could weave anyway: it must not count as this detector failing.
        return type -> {
            try {
                return statement.matches(type);
            } catch (LinkageError | RuntimeException unresolvable) {
                return false;
            }
        };
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
