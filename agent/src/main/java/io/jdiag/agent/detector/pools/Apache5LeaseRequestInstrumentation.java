package io.jdiag.agent.detector.pools;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.PoolsHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Apache HttpClient 5's lease: {@code PoolingHttpClientConnectionManager.lease(...)} returns an
 * anonymous {@code LeaseRequest} whose {@code get(Timeout)} waits for the pool entry and returns the
 * endpoint handed to the client (or throws a {@code TimeoutException}). The anonymous class is matched
 * by its outer class and interface, not by its number, which changes between versions.
 */
public final class Apache5LeaseRequestInstrumentation implements TypeInstrumentation {
    static final String MANAGER = "org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager";
    /** The anonymous lease request of httpclient5 5.5, for the test of the matcher; other versions number it otherwise. */
    static final String TYPE_5_5 = MANAGER + "$3";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return nameStartsWith(MANAGER + "$").and(not(isInterface()))
                .and(hasSuperType(named("org.apache.hc.client5.http.io.LeaseRequest")));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("get").and(takesArguments(1)), Apache5LeaseRequestInstrumentation.class.getName() + "$GetAdvice");
    }

    /** None: the anonymous class's name differs between versions (the manager itself is required by the release side). */
    @Override
    public List<String> requiredTypes() {
        return Collections.emptyList();
    }

    public static class GetAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            return PoolsHooks.acquireStart();
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object request, @Advice.Return Object endpoint,
                                @Advice.Thrown Throwable thrown, @Advice.Enter long start) {
            PoolsHooks.acquireEnded(PoolsHooks.APACHE5, request, endpoint, thrown, start);
        }
    }
}
