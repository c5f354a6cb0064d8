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

    /** An advice that calls into the agent: woven into a JDK class, it could never link. */
    public static class AdviceCallingTheAgent {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            Log.line("jdiag: from advice");
        }
    }

    @Test
    void theCheckFindsAnAgentTypeInAdviceCode() {
        assertThat(agentTypesInAdviceCode(AdviceCallingTheAgent.class))
                .containsExactly("AdviceCallingTheAgent.enter: io/jdiag/agent/core/Log");
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
        assertThat(agentTypesInAdviceCode(advice)).as(advice.getName()
                + ": advice is copied into the application's classes, which resolve names through their own"
                + " class loader; it may name JDK, library and bootstrap hook types only, never one of the agent").isEmpty();
    }

    /** Types of the agent (or its relocated libraries) that the code of the advice methods names. */
    static List<String> agentTypesInAdviceCode(Class<?> advice) {
        List<String> found = new ArrayList<>();
        String resource = advice.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (java.io.InputStream in = advice.getClassLoader().getResourceAsStream(resource)) {
            bytes = in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new AssertionError("cannot read " + resource, e);
        }
        new net.bytebuddy.jar.asm.ClassReader(bytes).accept(new net.bytebuddy.jar.asm.ClassVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
            @Override
            public net.bytebuddy.jar.asm.MethodVisitor visitMethod(int access, String name, String descriptor,
                                                                 String signature, String[] exceptions) {
                String where = advice.getSimpleName() + "." + name;
                check(where, descriptor);
                return new net.bytebuddy.jar.asm.MethodVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String n, String d, boolean itf) {
                        check(where, owner);
                        check(where, d);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String n, String d) {
                        check(where, owner);
                        check(where, d);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        check(where, type);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof net.bytebuddy.jar.asm.Type) {
                            check(where, ((net.bytebuddy.jar.asm.Type) value).getDescriptor());
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String n, String d, net.bytebuddy.jar.asm.Handle bsm, Object... args) {
                        found.add(where + ": invokedynamic " + n);
                    }
                };
            }

            private void check(String where, String typeOrDescriptor) {
                for (String prefix : new String[] {"io/jdiag/agent/", "io/jdiag/shaded/", "net/bytebuddy/"}) {
                    if (typeOrDescriptor.contains(prefix)) {
                        found.add(where + ": " + typeOrDescriptor);
                    }
                }
            }
        }, net.bytebuddy.jar.asm.ClassReader.SKIP_DEBUG);
        return found;
    }
}
