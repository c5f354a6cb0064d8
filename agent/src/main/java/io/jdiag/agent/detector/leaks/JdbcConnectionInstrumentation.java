package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
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
 * JDBC connections of the drivers (and of pools the agent does not know): the statements they create
 * ({@code createStatement}, {@code prepareStatement}, {@code prepareCall}), which belong to them, and
 * {@code close()}, which closes the connection and its statements. The pools the {@code pools} detector
 * knows are left out: their proxies delegate to a driver connection, whose statements are tracked.
 */
public final class JdbcConnectionInstrumentation implements TypeInstrumentation {
    /** Pools whose own objects are never tracked, and generated proxies. */
    static final ElementMatcher.Junction<TypeDescription> POOLS = nameStartsWith("com.zaxxer.hikari.")
            .or(nameStartsWith("org.apache.commons.dbcp")).or(nameStartsWith("org.apache.tomcat."))
            .or(nameContains("$Proxy"));

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        // cheap checks first: only classes that make statements pay for the hierarchy walk (not every
        // class declaring close()); a driver's close() is declared where its statements are made
        return nameContains("Connection").and(not(isInterface()))
                .and(declaresMethod(namedOneOf("createStatement", "prepareStatement", "prepareCall")))
                .and(not(POOLS))
                .and(hasSuperType(named("java.sql.Connection")));
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = JdbcConnectionInstrumentation.class.getName();
        advice.apply(namedOneOf("createStatement", "prepareStatement", "prepareCall").and(not(isAbstract())), self + "$StatementAdvice");
        advice.apply(named("close").and(takesArguments(0)).and(not(isAbstract())), self + "$CloseAdvice");
    }

    public static class StatementAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object connection, @Advice.Return Object statement) {
            LeaksHooks.openedBy(statement, "jdbc_statement", connection);
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object connection) {
            LeaksHooks.closedWithChildren(connection);
        }
    }
}
