package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Servlet containers' worker pools, registered as they are created so their busy/max/queued
 * numbers can be read at scrape time: Jetty's {@code QueuedThreadPool} and Tomcat's executor.
 * Pools created before a hot attach are not seen (documented).
 */
public final class WorkerPoolInstrumentation implements TypeInstrumentation {
    static final String JETTY = "org.eclipse.jetty.util.thread.QueuedThreadPool";
    static final String TOMCAT = "org.apache.tomcat.util.threads.ThreadPoolExecutor";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(JETTY, TOMCAT);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(isConstructor(), WorkerPoolInstrumentation.class.getName() + "$CreatedAdvice");
    }

    @Override
    public java.util.List<String> requiredTypes() {
        return java.util.Arrays.asList(JETTY, TOMCAT);
    }

    public static class CreatedAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object pool) {
            HttpHooks.workerPool(pool, pool.getClass().getName());
        }
    }

    /** For the matcher in tests. */
    static ElementMatcher<TypeDescription> jetty() {
        return named(JETTY);
    }
}
