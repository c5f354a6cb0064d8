package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.agent.detector.leaks.Apache4ConnectionHolderInstrumentation;
import io.jdiag.agent.detector.leaks.Apache4ResponseInstrumentation;
import io.jdiag.agent.detector.leaks.Apache5ExecRuntimeInstrumentation;
import io.jdiag.agent.detector.leaks.Apache5ResponseInstrumentation;
import io.jdiag.agent.detector.leaks.OkHttpResponseInstrumentation;
import io.jdiag.agent.detector.leaks.UrlConnectionKeepAliveInstrumentation;
import io.jdiag.agent.detector.leaks.UrlConnectionResponseInstrumentation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;

/**
 * The HTTP-client advice (outbound calls and {@code http_response} tracking) against the real classes
 * it targets: the JDK's own, and the library versions the agent compiles against (Apache HttpClient
 * 4.5, 5.x, OkHttp 4). Each advice keeps the weaving contract (suppresses every Throwable; exit advice
 * on methods also runs on exceptions), its matcher finds methods, and weaving it into the real class
 * file succeeds, which proves every {@code @FieldValue}, {@code @Argument} and {@code @Return} binds.
 */
class ClientAdviceContractTest {

    /** Each instrumentation with the class it is meant for. */
    private static Map<TypeInstrumentation, String> targets() {
        Map<TypeInstrumentation, String> m = new LinkedHashMap<>();
        m.put(new JdkHttpClientInstrumentation(), JdkHttpClientInstrumentation.TYPE);
        m.put(new UrlConnectionClientInstrumentation(), UrlConnectionClientInstrumentation.TYPE);
        m.put(new Apache4ClientInstrumentation(), Apache4ClientInstrumentation.TYPE);
        m.put(new Apache5ClientInstrumentation(), Apache5ClientInstrumentation.TYPE);
        m.put(new OkHttpClientInstrumentation(), OkHttpClientInstrumentation.TYPE);
        m.put(new UrlConnectionResponseInstrumentation(), "sun.net.www.protocol.http.HttpURLConnection");
        m.put(new UrlConnectionKeepAliveInstrumentation(), "sun.net.www.http.HttpClient");
        m.put(new Apache4ResponseInstrumentation(), "org.apache.http.impl.execchain.HttpResponseProxy");
        m.put(new Apache4ConnectionHolderInstrumentation(), "org.apache.http.impl.execchain.ConnectionHolder");
        m.put(new Apache5ResponseInstrumentation(), "org.apache.hc.client5.http.impl.classic.CloseableHttpResponse");
        m.put(new Apache5ExecRuntimeInstrumentation(), "org.apache.hc.client5.http.impl.classic.InternalExecRuntime");
        m.put(new OkHttpResponseInstrumentation(), "okhttp3.internal.connection.RealCall");
        return m;
    }

    private static final class Applied {
        final ElementMatcher<? super MethodDescription> methods;
        final String advice;

        Applied(ElementMatcher<? super MethodDescription> methods, String advice) {
            this.methods = methods;
            this.advice = advice;
        }
    }

    @Test
    void httpClientsAndLeaksListTheseInstrumentations() {
        assertThat(new HttpClients().instrumentations()).extracting(ti -> ti.getClass().getSimpleName())
                .containsExactly("JdkHttpClientInstrumentation", "UrlConnectionClientInstrumentation",
                        "Apache4ClientInstrumentation", "Apache5ClientInstrumentation", "OkHttpClientInstrumentation");
        assertThat(new io.jdiag.agent.detector.leaks.LeaksDetector().instrumentations())
                .extracting(ti -> ti.getClass().getSimpleName())
                .contains("UrlConnectionResponseInstrumentation", "UrlConnectionKeepAliveInstrumentation",
                        "Apache4ResponseInstrumentation", "Apache4ConnectionHolderInstrumentation",
                        "Apache5ResponseInstrumentation", "Apache5ExecRuntimeInstrumentation", "OkHttpResponseInstrumentation");
    }

    @Test
    void everyAdviceKeepsTheContractAndWeavesIntoItsRealTarget() throws Exception {
        int woven = 0;
        ClassLoader loader = ClientAdviceContractTest.class.getClassLoader();
        for (Map.Entry<TypeInstrumentation, String> e : targets().entrySet()) {
            TypeInstrumentation ti = e.getKey();
            Class<?> target = Class.forName(e.getValue(), false, loader);
            TypeDescription type = TypeDescription.ForLoadedType.of(target);
            assertThat(ti.typeMatcher().matches(type)).as(ti.getClass().getSimpleName() + " matches " + target).isTrue();
            assertThat(ti.requiredTypes()).as("required types of " + ti.getClass().getSimpleName())
                    .allMatch(n -> n.equals(e.getValue()));

            List<Applied> applied = new ArrayList<>();
            ti.transform((methods, advice) -> applied.add(new Applied(methods, advice)));
            assertThat(applied).as(ti.getClass().getName()).isNotEmpty();
            for (Applied a : applied) {
                List<MethodDescription> matched = new ArrayList<>();
                for (MethodDescription m : type.getDeclaredMethods()) {
                    if (a.methods.matches(m)) {
                        matched.add(m);
                    }
                }
                assertThat(matched).as(a.advice + " on " + target.getName()).isNotEmpty();
                Class<?> advice = Class.forName(a.advice, false, loader);
                checkAdvice(advice, matched.stream().allMatch(MethodDescription::isConstructor));
                weave(target, advice, a.methods);
                woven++;
            }
        }
        assertThat(woven).isEqualTo(15);
    }

    /** Weaves the advice into the real class file: fails when an annotated parameter does not bind. */
    private static void weave(Class<?> target, Class<?> advice, ElementMatcher<? super MethodDescription> methods) {
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.ForClassLoader.of(target.getClassLoader()),
                ClassFileLocator.ForClassLoader.ofSystemLoader(),
                ClassFileLocator.ForClassLoader.ofBootLoader());
        try (DynamicType.Unloaded<?> made = new ByteBuddy().with(TypeValidation.DISABLED)
                .redefine(target, locator)
                .visit(Advice.to(advice).on(methods))
                .make()) {
            assertThat(made.getBytes()).as(advice.getName() + " woven into " + target.getName()).isNotEmpty();
        }
    }

    private static void checkAdvice(Class<?> advice, boolean onConstructorsOnly) {
        io.jdiag.agent.core.AdviceContractTest.checkAdvice(advice, onConstructorsOnly);
    }
}
