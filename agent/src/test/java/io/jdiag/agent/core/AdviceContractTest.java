package io.jdiag.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;

/**
 * Every advice of every registered detector keeps the contract that makes it safe to weave into
 * someone else's code: it suppresses every Throwable, exit advice on methods also runs on
 * exceptions, and each method matcher still finds its target on the JDK running the tests (a JDK
 * that renamed an internal method would otherwise blind a detector silently).
 */
public class AdviceContractTest {
    private static final class Applied {
        final ElementMatcher<? super MethodDescription> methods;
        final String advice;

        Applied(ElementMatcher<? super MethodDescription> methods, String advice) {
            this.methods = methods;
            this.advice = advice;
        }
    }

    @Test
    void everyAdviceSuppressesThrowableAndMatchesItsTargets() throws Exception {
        int checked = 0;
        for (Detector detector : ServiceLoader.load(Detector.class)) {
            for (TypeInstrumentation ti : detector.instrumentations()) {
                List<Applied> applied = new ArrayList<>();
                ti.transform((methods, advice) -> applied.add(new Applied(methods, advice)));
                assertThat(applied).as(ti.getClass().getName()).isNotEmpty();
                for (Applied a : applied) {
                    // Each advice must find its methods in at least one of the types it is meant for
                    // that this test's class path has (the JDK, and the libraries the agent compiles against).
                    List<MethodDescription> matched = new ArrayList<>();
                    boolean anyLoadable = false;
                    for (String typeName : ti.requiredTypes()) {
                        Class<?> loaded;
                        try {
                            loaded = Class.forName(typeName, false, AdviceContractTest.class.getClassLoader());
                        } catch (ClassNotFoundException notOnThisClassPath) {
                            continue;
                        }
                        anyLoadable = true;
                        TypeDescription type = TypeDescription.ForLoadedType.of(loaded);
                        assertThat(ti.typeMatcher().matches(type)).as(typeName).isTrue();
                        for (MethodDescription m : type.getDeclaredMethods()) {
                            if (a.methods.matches(m)) {
                                matched.add(m);
                            }
                        }
                    }
                    if (anyLoadable) {
                        assertThat(matched).as(a.advice + " on " + ti.requiredTypes()).isNotEmpty();
                    }
                    checkAdvice(Class.forName(a.advice), !anyLoadable || matched.stream().allMatch(MethodDescription::isConstructor));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    /** The contract of one advice class; also used by the client advice test. */
    public static void checkAdvice(Class<?> advice, boolean onConstructorsOnly) {
        assertThat(Modifier.isPublic(advice.getModifiers())).as(advice.getName() + " public").isTrue();
        int adviceMethods = 0;
        for (Method m : advice.getDeclaredMethods()) {
            Advice.OnMethodEnter enter = m.getAnnotation(Advice.OnMethodEnter.class);
            Advice.OnMethodExit exit = m.getAnnotation(Advice.OnMethodExit.class);
            if (enter != null) {
                assertThat(enter.suppress()).as(advice.getName() + " enter suppress").isEqualTo(Throwable.class);
                adviceMethods++;
            }
            if (exit != null) {
                assertThat(exit.suppress()).as(advice.getName() + " exit suppress").isEqualTo(Throwable.class);
                if (!onConstructorsOnly) {
                    // on a method, exit advice must see the exception too (constructors cannot catch it)
                    assertThat(exit.onThrowable()).as(advice.getName() + " onThrowable").isEqualTo(Throwable.class);
                }
                adviceMethods++;
            }
            if (enter != null || exit != null) {
                assertThat(Modifier.isStatic(m.getModifiers())).as(m + " static").isTrue();
            }
        }
        assertThat(adviceMethods).as(advice.getName()).isPositive();
    }
}
