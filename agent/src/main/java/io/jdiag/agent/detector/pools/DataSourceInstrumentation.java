package io.jdiag.agent.detector.pools;

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
import io.jdiag.bootstrap.PoolsHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Any other {@code javax.sql.DataSource}: {@code getConnection()} and {@code getConnection(user,
 * password)} are timed (the outermost call on a thread, so an overload delegating to the other counts
 * once). Left out: the pools timed by their own instrumentation, Spring's delegating data sources
 * (their target is timed), and generated proxies and subclasses ({@code $Proxy}, {@code $$}).
 */
public final class DataSourceInstrumentation implements TypeInstrumentation {
    /**
     * Not {@code DataSource}: a data source's {@code getConnection} is often declared by an abstract base
     * that implements only {@code CommonDataSource} (PostgreSQL's {@code BaseDataSource}).
     */
    static final String DATA_SOURCE = "javax.sql.CommonDataSource";

    static ElementMatcher.Junction<MethodDescription> getConnection() {
        return named("getConnection").and(not(isAbstract()))
                .and(takesArguments(0).or(takesArguments(2).and(takesArgument(0, String.class)).and(takesArgument(1, String.class))));
    }

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        // cheap checks first: only classes that declare getConnection pay for the hierarchy walk
        return nameContains("DataSource").and(not(isInterface())).and(declaresMethod(getConnection()))
                .and(not(nameStartsWith("com.zaxxer.hikari.")))
                .and(not(nameStartsWith("org.apache.commons.dbcp")))
                .and(not(nameStartsWith("org.apache.tomcat.")))
                .and(not(nameStartsWith("org.springframework.")))
                .and(not(nameContains("$Proxy")))
                .and(not(nameContains("$$")))
                .and(hasSuperType(named(DATA_SOURCE)));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(getConnection(), DataSourceInstrumentation.class.getName() + "$GetConnectionAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.emptyList();
    }

    public static class GetConnectionAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return PoolsHooks.dataSourceEnter();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object dataSource, @Advice.Thrown Throwable thrown, @Advice.Enter long start) {
            PoolsHooks.dataSourceExit(dataSource, thrown, start);
        }
    }
}
