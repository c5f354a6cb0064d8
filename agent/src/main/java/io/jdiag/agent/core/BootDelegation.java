package io.jdiag.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Makes {@code io.jdiag.bootstrap.*} visible from every class loader, also from those that do not
 * delegate to the boot loader (OSGi bundle loaders, JBoss Modules / WildFly, any loader that refuses
 * parent delegation). Detectors' advice is inlined into library classes and calls hooks in
 * {@code io.jdiag.bootstrap}, which live on the boot class path; a library class defined by such a
 * loader resolves them through that loader, and without this the hook is a
 * {@code NoClassDefFoundError} that the advice suppresses: the detector is blind in that container.
 *
 * <p>Two parts, both installed by the core whenever any detector is:
 * <ul>
 *   <li>{@link #instrumentation()}: {@code loadClass(String)} and {@code loadClass(String, boolean)}
 *   declared by class loaders other than the JDK's answer a name in {@code io.jdiag.bootstrap.} with
 *   the boot loader's class, before their own logic runs. Any other name, or a name the boot loader
 *   does not have, goes through the loader's own code unchanged.</li>
 *   <li>{@link #setContainerProperties()}: the OSGi and JBoss Modules properties that list
 *   packages to take from the boot (system) loader get ours appended where that is safe, for
 *   containers that read them after the agent started (premain).</li>
 * </ul>
 *
 * <p><b>Which loaders</b>: to keep start-up cheap, a class reaches the hierarchy check ("extends
 * {@code ClassLoader}") only when its binary name contains {@code ClassLoader} (case-sensitive; the
 * name pre-filter answers this from the name alone, so the other classes of the application are not
 * parsed; {@code Loader} alone let through some sixty classes of a Spring Boot start-up, none of
 * them a loader: {@code ResourceLoader}, {@code SpringFactoriesLoader}, log4j's {@code LoaderUtil},
 * ...). Every container loader we know of is named so ({@code EquinoxClassLoader},
 * {@code BundleWiringImpl$BundleClassLoader}, {@code ModuleClassLoader}, {@code WebappClassLoaderBase},
 * {@code LaunchedURLClassLoader}, {@code GroovyClassLoader$InnerLoader}); a loader class whose name
 * lacks it ({@code javassist.Loader}) is woven only through a superclass that has it (where that superclass declares
 * {@code loadClass}). The JDK's own loaders ({@code java.}, {@code jdk.}, {@code sun.},
 * {@code com.sun.}) are left alone: they delegate to the boot loader already.
 */
public final class BootDelegation {
    /** The package whose classes every loader must take from the boot loader. */
    public static final String PACKAGE = "io.jdiag.bootstrap";
    /** OSGi: packages every bundle loads from the boot (parent) loader; comma-separated, {@code pkg.*} wildcards, {@code *} alone for all. */
    static final String OSGI_BOOT_DELEGATION = "org.osgi.framework.bootdelegation";
    /** JBoss Modules: package prefixes every module loads from the system class loader; comma-separated. */
    static final String JBOSS_SYSTEM_PACKAGES = "jboss.modules.system.pkgs";

    private BootDelegation() {}

    static TypeInstrumentation instrumentation() {
        return new LoaderInstrumentation();
    }

    /**
     * Appends our package to the containers' boot-delegation properties, never taking anything away
     * from what is set. {@code jboss.modules.system.pkgs} is set to our package alone when unset: JBoss
     * Modules adds it to its built-in list ({@code java.}, its own packages). {@code
     * org.osgi.framework.bootdelegation} is only appended to, never set when unset: Equinox then takes
     * its default from the Java profile ({@code javax.*, sun.*, com.sun.*, ...}), and a value of ours
     * would replace that default. A property read before the agent started (a hot attach into a
     * running container) has no effect; the class-loader instrumentation covers that case.
     */
    static void setContainerProperties() {
        String osgi = System.getProperty(OSGI_BOOT_DELEGATION);
        if (osgi != null && !osgi.trim().isEmpty()) {
            append(OSGI_BOOT_DELEGATION, PACKAGE + ".*");
        }
        append(JBOSS_SYSTEM_PACKAGES, PACKAGE);
    }

    /** The property's value with {@code entry} appended, or unchanged when it already lists it. */
    static String appended(String current, String entry) {
        if (current == null || current.trim().isEmpty()) {
            return entry;
        }
        for (String e : current.split(",")) {
            if (e.trim().equals(entry) || e.trim().equals("*")) {
                return current;
            }
        }
        return current + "," + entry;
    }

    private static void append(String property, String entry) {
        try {
            String current = System.getProperty(property);
            String value = appended(current, entry);
            if (!value.equals(current)) {
                System.setProperty(property, value);
            }
        } catch (RuntimeException e) {
            // a security manager that forbids it: the loader instrumentation still works
        }
    }

    /**
     * Whether a type's superclass chain reaches {@code java.lang.ClassLoader}, decided by the names in
     * the chain: a superclass's class file is read only to go one step further, and the walk ends at
     * {@code java.lang.Object} by its name. {@code hasSuperClass} would read {@code Object}'s class file
     * through the application's loader (a nested jar's, in a Spring Boot fat jar) to learn it has no
     * superclass, for each class named {@code *ClassLoader*} that is none (Spring's
     * {@code ClassLoaderAwareGeneratorStrategy}, say).
     */
    static final class ExtendsClassLoader extends ElementMatcher.Junction.AbstractBase<TypeDescription> {
        /** Deeper than any real loader hierarchy; a cycle in broken class files ends here too. */
        private static final int MAX_DEPTH = 32;

        @Override
        public boolean matches(TypeDescription type) {
            TypeDescription.Generic superClass = type.getSuperClass();
            for (int depth = 0; superClass != null && depth < MAX_DEPTH; depth++) {
                TypeDescription erasure = superClass.asErasure();
                String name = erasure.getName();
                if (name.equals("java.lang.ClassLoader")) {
                    return true;
                }
                if (name.equals("java.lang.Object")) {
                    return false;
                }
                superClass = erasure.getSuperClass();
            }
            return false;
        }
    }

    static final class LoaderInstrumentation implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            // Name checks first: the name pre-filter decides from them alone for every other class.
            return nameContains("ClassLoader")
                    .and(not(nameStartsWith("java.").or(nameStartsWith("jdk.")).or(nameStartsWith("sun."))
                            .or(nameStartsWith("com.sun."))))
                    // an interface (Spring's ResourceLoader, say) is decided without its hierarchy
                    .and(not(isInterface()))
                    .and(new ExtendsClassLoader());
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("loadClass").and(not(isStatic())).and(not(isAbstract()))
                            .and(takesArguments(String.class).or(takesArguments(String.class, boolean.class)))
                            .and(returns(Class.class)),
                    LoadClassAdvice.class.getName());
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.emptyList();
        }
    }

    /**
     * Woven into a class loader's {@code loadClass}. JDK calls only: this code runs inside the loader's
     * own {@code loadClass}, so a reference to any other class (our own hooks included) would be
     * resolved through the loader's defining loader while it may be loading — re-entry at best,
     * a {@code ClassCircularityError} at worst. A name the boot loader does not have is a
     * {@code ClassNotFoundException}, suppressed: the loader's own code then runs as ever.
     */
    public static class LoadClassAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static Class<?> enter(@Advice.Argument(0) String name) throws ClassNotFoundException {
            if (name != null && name.startsWith("io.jdiag.bootstrap.")) {
                return Class.forName(name, false, null);
            }
            return null;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter Class<?> fromBoot,
                                @Advice.Return(readOnly = false) Class<?> result) {
            if (fromBoot != null) {
                result = fromBoot;
            }
        }
    }
}
