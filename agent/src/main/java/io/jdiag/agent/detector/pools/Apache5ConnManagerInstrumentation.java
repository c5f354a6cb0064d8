package io.jdiag.agent.detector.pools;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.PoolsHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Apache HttpClient 5's return: {@code PoolingHttpClientConnectionManager.release(endpoint, state,
 * keepAlive)}, which detaches the pool entry from the endpoint and gives it back (a released endpoint
 * has no entry: a second release does nothing).
 */
public final class Apache5ConnManagerInstrumentation implements TypeInstrumentation {
    static final String TYPE = Apache5LeaseRequestInstrumentation.MANAGER;

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("release").and(takesArguments(3)), Apache5ConnManagerInstrumentation.class.getName() + "$ReleaseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ReleaseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(0) Object endpoint) {
            PoolsHooks.released(PoolsHooks.APACHE5, endpoint);
        }
    }
}
