package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
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
 * {@code http_response} for Apache HttpClient 4: the {@code CloseableHttpResponse} that
 * {@code execute} returns ({@code HttpResponseProxy}) holds a pooled connection through its
 * {@code ConnectionHolder} until the response is closed or its entity consumed. The holder is the
 * tracked resource: it is given to the proxy only when the response has a streamed body (without one
 * the connection was already released and the proxy gets null), and every way of giving the
 * connection back ends in the holder ({@link Apache4ConnectionHolderInstrumentation}), including
 * {@code EntityUtils.consume} and the {@code ResponseHandler} overloads of {@code execute}.
 */
public final class Apache4ResponseInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.apache.http.impl.execchain.HttpResponseProxy";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(isConstructor().and(takesArguments(2)), Apache4ResponseInstrumentation.class.getName() + "$ResponseAdvice");
    }

    /** A library type: checked by the installer when the application has it loaded. */
    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ResponseAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(1) Object connectionHolder) {
            if (connectionHolder != null) {
                LeaksHooks.opened(connectionHolder, "http_response", null);
            }
        }
    }
}
