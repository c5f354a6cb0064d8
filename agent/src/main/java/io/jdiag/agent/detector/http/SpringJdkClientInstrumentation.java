package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.declaresField;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpClientHooks;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Spring's {@code JdkClientHttpRequest} (6.1+, behind {@code RestClient}/{@code RestTemplate} with
 * {@code JdkClientHttpRequestFactory}, Spring Boot's default when no other client library is
 * present): since 6.2 its read timeout is not an {@code HttpRequest.timeout()} but a timer that
 * cancels the response future, so the JDK client's own settings say "no overall timeout" although
 * the exchange is bounded. While {@code executeInternal} runs with a {@code timeout} set, the JDK
 * client's call on this thread counts as bounded. Matched only where the field exists (6.1+).
 */
public final class SpringJdkClientInstrumentation implements TypeInstrumentation {
    static final String TYPE = "org.springframework.http.client.JdkClientHttpRequest";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE).and(declaresField(named("timeout")));
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("executeInternal").and(takesArguments(2)), SpringJdkClientInstrumentation.class.getName() + "$ExecuteAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class ExecuteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.FieldValue("timeout") Duration timeout) {
            if (timeout != null) {
                HttpClientHooks.boundedByCaller(true);
            }
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit() {
            HttpClientHooks.boundedByCaller(false);
        }
    }
}
