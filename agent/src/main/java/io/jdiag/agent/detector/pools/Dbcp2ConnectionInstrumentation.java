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
 * Commons DBCP2's return: {@code PoolableConnection.close()}, which the guard handed to the
 * application calls once and which gives the connection back to the pool (a second close does nothing).
 */
public final class Dbcp2ConnectionInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.commons.dbcp2.PoolableConnection";
    static final String TOMCAT_TYPE = "org.apache.tomcat.dbcp.dbcp2.PoolableConnection";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(TYPE, TOMCAT_TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("close").and(takesArguments(0)), Dbcp2ConnectionInstrumentation.class.getName() + "$CloseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Arrays.asList(TYPE, TOMCAT_TYPE);
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object connection) {
            PoolsHooks.released(PoolsHooks.DBCP2, connection);
        }
    }
}
