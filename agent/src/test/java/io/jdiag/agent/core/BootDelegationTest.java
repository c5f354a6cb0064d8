package io.jdiag.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import org.junit.jupiter.api.Test;

class BootDelegationTest {
    private final TypeInstrumentation loaders = BootDelegation.instrumentation();
    private final NamePrefilter prefilter = new NamePrefilter(Collections.emptyList(), List.of(loaders));

    /** Test loader classes named as the rule expects, and one that is not. */
    static class SomeClassLoader extends ClassLoader {
        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            return super.loadClass(name, resolve);
        }
    }

    static class SomeRealm extends ClassLoader {
    }

    static class NotALoader {
    }

    @Test
    void onlyClassesWithLoaderInTheirNameReachTheHierarchyCheck() {
        assertThat(prefilter.mayMatch("org/eclipse/osgi/internal/loader/EquinoxClassLoader")).isTrue();
        assertThat(prefilter.mayMatch("org/apache/felix/framework/BundleWiringImpl$BundleClassLoader")).isTrue();
        assertThat(prefilter.mayMatch("org/jboss/modules/ModuleClassLoader")).isTrue();
        assertThat(prefilter.mayMatch("org/springframework/core/SmartClassLoader")).as("then parsed").isTrue();
        assertThat(prefilter.mayMatch("org/springframework/core/io/DefaultResourceLoader")).as("no ClassLoader in the name")
                .isFalse();
        // decided by the name alone: never parsed
        assertThat(prefilter.mayMatch("com/example/OrdersController")).isFalse();
        assertThat(prefilter.mayMatch("org/codehaus/plexus/classworlds/realm/ClassRealm")).as("the rule's limit").isFalse();
        assertThat(prefilter.mayMatch("java/net/URLClassLoader")).as("the JDK's loaders delegate already").isFalse();
        assertThat(prefilter.mayMatch("jdk/internal/loader/ClassLoaders$AppClassLoader")).isFalse();
    }

    @Test
    void theTypeMatcherWantsAClassLoaderNamedSo() {
        assertThat(loaders.typeMatcher().matches(TypeDescription.ForLoadedType.of(SomeClassLoader.class))).isTrue();
        assertThat(loaders.typeMatcher().matches(TypeDescription.ForLoadedType.of(SomeRealm.class))).isFalse();
        assertThat(loaders.typeMatcher().matches(TypeDescription.ForLoadedType.of(NotALoader.class))).isFalse();
        assertThat(loaders.typeMatcher().matches(TypeDescription.ForLoadedType.of(java.net.URLClassLoader.class))).isFalse();
    }

    static class DeeperClassLoader extends SomeClassLoader {
    }

    /**
     * The superclass walk ends at {@code java.lang.Object} by its name: a class that extends Object
     * directly is decided from its own class file alone (here the pool can locate nothing else), and a
     * loader deeper in a hierarchy is still found.
     */
    @Test
    void theSuperclassWalkStopsAtObjectWithoutReadingItsClassFile() throws Exception {
        byte[] notALoader = ClassFileLocator.ForClassLoader.read(NotALoader.class);
        TypePool alone = Weaver.pool(ClassFileLocator.Simple.of(NotALoader.class.getName(), notALoader));
        assertThat(new BootDelegation.ExtendsClassLoader().matches(alone.describe(NotALoader.class.getName()).resolve()))
                .isFalse();
        TypePool all = Weaver.pool(ClassFileLocator.ForClassLoader.of(BootDelegationTest.class.getClassLoader()));
        assertThat(new BootDelegation.ExtendsClassLoader().matches(all.describe(DeeperClassLoader.class.getName()).resolve()))
                .isTrue();
        assertThat(loaders.typeMatcher().matches(all.describe(DeeperClassLoader.class.getName()).resolve())).isTrue();
    }

    @Test
    void theAdviceGoesOnBothLoadClassMethodsAndSuppressesEverything() throws Exception {
        List<String> advice = new ArrayList<>();
        List<MethodDescription> matched = new ArrayList<>();
        loaders.transform((methods, name) -> {
            advice.add(name);
            for (MethodDescription m : TypeDescription.ForLoadedType.of(ClassLoader.class).getDeclaredMethods()) {
                if (methods.matches(m)) {
                    matched.add(m);
                }
            }
        });
        assertThat(advice).containsExactly(BootDelegation.LoadClassAdvice.class.getName());
        assertThat(matched).extracting(MethodDescription::toString).containsExactlyInAnyOrder(
                "public java.lang.Class java.lang.ClassLoader.loadClass(java.lang.String) throws java.lang.ClassNotFoundException",
                "protected java.lang.Class java.lang.ClassLoader.loadClass(java.lang.String,boolean) throws java.lang.ClassNotFoundException");
        for (Method m : BootDelegation.LoadClassAdvice.class.getDeclaredMethods()) {
            Advice.OnMethodEnter enter = m.getAnnotation(Advice.OnMethodEnter.class);
            Advice.OnMethodExit exit = m.getAnnotation(Advice.OnMethodExit.class);
            assertThat(enter != null ? enter.suppress() : exit.suppress()).isEqualTo(Throwable.class);
        }
        // and it compiles against Byte Buddy's rules for advice
        Advice.to(BootDelegation.LoadClassAdvice.class);
    }

    @Test
    void theAdviceAnswersOnlyItsPackageFromTheBootLoader() throws Exception {
        assertThat(BootDelegation.LoadClassAdvice.enter("com.example.Foo")).isNull();
        assertThat(BootDelegation.LoadClassAdvice.enter(null)).isNull();
        // no boot class path jar in this JVM: not there (the woven method would suppress this and run on)
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BootDelegation.LoadClassAdvice.enter("io.jdiag.bootstrap.HookGuard"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void containerPropertiesAreAppendedToNeverReplaced() {
        assertThat(BootDelegation.appended(null, "io.jdiag.bootstrap")).isEqualTo("io.jdiag.bootstrap");
        assertThat(BootDelegation.appended(" ", "io.jdiag.bootstrap")).isEqualTo("io.jdiag.bootstrap");
        assertThat(BootDelegation.appended("org.jboss.byteman", "io.jdiag.bootstrap"))
                .isEqualTo("org.jboss.byteman,io.jdiag.bootstrap");
        assertThat(BootDelegation.appended("sun.*, io.jdiag.bootstrap.*", "io.jdiag.bootstrap.*"))
                .isEqualTo("sun.*, io.jdiag.bootstrap.*");
        assertThat(BootDelegation.appended("*", "io.jdiag.bootstrap.*")).isEqualTo("*");
    }

    @Test
    void anUnsetOsgiBootDelegationStaysUnsetSoTheFrameworksDefaultHolds() {
        String osgi = System.getProperty(BootDelegation.OSGI_BOOT_DELEGATION);
        String jboss = System.getProperty(BootDelegation.JBOSS_SYSTEM_PACKAGES);
        try {
            System.clearProperty(BootDelegation.OSGI_BOOT_DELEGATION);
            System.setProperty(BootDelegation.JBOSS_SYSTEM_PACKAGES, "org.jboss.byteman");
            BootDelegation.setContainerProperties();
            assertThat(System.getProperty(BootDelegation.OSGI_BOOT_DELEGATION)).isNull();
            assertThat(System.getProperty(BootDelegation.JBOSS_SYSTEM_PACKAGES)).isEqualTo("org.jboss.byteman,io.jdiag.bootstrap");

            System.setProperty(BootDelegation.OSGI_BOOT_DELEGATION, "sun.*,com.sun.*");
            BootDelegation.setContainerProperties();
            BootDelegation.setContainerProperties();
            assertThat(System.getProperty(BootDelegation.OSGI_BOOT_DELEGATION)).isEqualTo("sun.*,com.sun.*,io.jdiag.bootstrap.*");
            assertThat(System.getProperty(BootDelegation.JBOSS_SYSTEM_PACKAGES)).isEqualTo("org.jboss.byteman,io.jdiag.bootstrap");
        } finally {
            restore(BootDelegation.OSGI_BOOT_DELEGATION, osgi);
            restore(BootDelegation.JBOSS_SYSTEM_PACKAGES, jboss);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
