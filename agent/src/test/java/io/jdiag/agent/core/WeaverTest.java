package io.jdiag.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.testtargets.Targets;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.dynamic.ClassFileLocator;
import org.junit.jupiter.api.Test;

/**
 * The weaver in this JVM (Byte Buddy's agent attached to the test JVM): a class of a web
 * application's loader is woven with advice compiled for that loader, and once the application is
 * dropped its loader is collectable although the weaver (and its per-loader advice cache) lives on;
 * a reset gives the woven classes their own bytecode back.
 */
class WeaverTest {
    private static final String COUNTED = Targets.Counted.class.getName();

    /** Defines {@link Targets.Counted} itself (child first), everything else from the parent: a web app's loader. */
    static final class AppLoader extends ClassLoader {
        AppLoader() {
            super(WeaverTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(COUNTED)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    private static Detector counting() {
        return InstallerTest.detector("counting", InstallerTest.on(COUNTED, InstallerTest.GoodAdvice.class.getName()));
    }

    /**
     * While the installer retransforms, the classes the weaver saw being loaded (per loader) are
     * known, so that they are not woven a second time; a retransformation is not a load, and a
     * class of the same name in another loader is another class.
     */
    @Test
    void theClassesLoadedWhileInstallingAreKnownByLoaderAndName() throws Exception {
        ClassLoader testLoader = WeaverTest.class.getClassLoader();
        Weaver weaver = new Weaver(List.of(), new NamePrefilter(List.of(), List.of(InstallerTest.on(COUNTED, "unused"))),
                testLoader, (type, t) -> { throw new AssertionError(type, t); });
        String internal = COUNTED.replace('.', '/');
        byte[] bytes = ClassFileLocator.ForClassLoader.read(Targets.Counted.class);
        weaver.recordLoads(true);
        weaver.transform(new AppLoader(), internal, null, null, bytes);
        assertThat(weaver.loadedThroughUs(Targets.Counted.class)).as("another loader's class").isFalse();
        weaver.transform(testLoader, internal, Targets.Counted.class, null, bytes);
        assertThat(weaver.loadedThroughUs(Targets.Counted.class)).as("a retransformation").isFalse();
        weaver.transform(testLoader, internal, null, null, bytes);
        assertThat(weaver.loadedThroughUs(Targets.Counted.class)).isTrue();
        weaver.recordLoads(false);
        assertThat(weaver.loadedThroughUs(Targets.Counted.class)).as("once the install is over").isFalse();
    }

    /**
     * A type an instrumentation matches but that declares none of its advised methods is left as it
     * is: not rewritten (Byte Buddy would copy the whole class for no change), not listed as woven.
     */
    @Test
    void aMatchedTypeWithNoAdvisedMethodIsNotRewritten() throws Exception {
        String noValue = Targets.NoValue.class.getName();
        Detector detector = InstallerTest.detector("counting", InstallerTest.on(COUNTED, InstallerTest.GoodAdvice.class.getName()),
                InstallerTest.on(noValue, InstallerTest.GoodAdvice.class.getName()));
        ClassLoader testLoader = WeaverTest.class.getClassLoader();
        Weaver weaver = new Installer().install(ByteBuddyAgent.install(), testLoader, List.of(detector),
                (d, cause) -> { throw new AssertionError(d + ": " + cause); });
        try {
            byte[] bytes = ClassFileLocator.ForClassLoader.read(Targets.NoValue.class);
            assertThat(weaver.transform(new AppLoader(), noValue.replace('.', '/'), null, null, bytes)).isNull();
            assertThat(weaver.transformed()).doesNotContain(noValue);
            assertThat(weaver.transform(new AppLoader(), COUNTED.replace('.', '/'), null, null,
                    ClassFileLocator.ForClassLoader.read(Targets.Counted.class))).as("a type that declares value()").isNotNull();
        } finally {
            weaver.reset(ByteBuddyAgent.install());
        }
    }

    /** A broken advice still turns its detector off at the first type it matches, advised methods or not. */
    @Test
    void aBrokenAdviceIsFoundAtAMatchedTypeWithNoAdvisedMethod() throws Exception {
        String noValue = Targets.NoValue.class.getName();
        List<String> failures = new java.util.ArrayList<>();
        Weaver weaver = new Installer().install(ByteBuddyAgent.install(), WeaverTest.class.getClassLoader(),
                List.of(InstallerTest.detector("broken", InstallerTest.on(noValue, "no.such.Advice"))),
                (d, cause) -> failures.add(d));
        try {
            byte[] bytes = ClassFileLocator.ForClassLoader.read(Targets.NoValue.class);
            assertThat(weaver.transform(new AppLoader(), noValue.replace('.', '/'), null, null, bytes)).isNull();
            assertThat(failures).containsExactly("broken");
        } finally {
            weaver.reset(ByteBuddyAgent.install());
        }
    }

    @Test
    void aDroppedApplicationLoaderIsNotKeptAliveByTheWeaver() throws Exception {
        Instrumentation inst = ByteBuddyAgent.install();
        Weaver weaver = new Installer().install(inst, WeaverTest.class.getClassLoader(), List.of(counting()),
                (d, cause) -> { throw new AssertionError(d + ": " + cause); });
        try {
            WeakReference<ClassLoader> loader = runInAnApplicationLoader();
            for (int i = 0; i < 50 && loader.get() != null; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(loader.get()).as("the application's loader, dropped, is collected while the weaver lives").isNull();
            assertThat(weaver.transformed()).contains(COUNTED);
        } finally {
            weaver.reset(inst);
        }
    }

    /** Loads and calls the woven class in a fresh loader, twice (the advice compiled for it is reused), and drops it. */
    private static WeakReference<ClassLoader> runInAnApplicationLoader() throws Exception {
        for (int i = 0; i < 2; i++) {
            AppLoader app = new AppLoader();
            Class<?> counted = app.loadClass(COUNTED);
            assertThat(counted.getClassLoader()).isSameAs(app);
            Object target = counted.getDeclaredConstructor().newInstance();
            int before = Targets.GOOD.get();
            assertThat(counted.getMethod("value").invoke(target)).isEqualTo(2);
            assertThat(Targets.GOOD.get()).as("advice woven into the application loader's class").isEqualTo(before + 1);
            if (i == 1) {
                return new WeakReference<>(app);
            }
        }
        throw new AssertionError("unreachable");
    }

    @Test
    void aResetGivesTheWovenClassesTheirBytecodeBack() throws Exception {
        Instrumentation inst = ByteBuddyAgent.install();
        Weaver weaver = new Installer().install(inst, WeaverTest.class.getClassLoader(), List.of(counting()),
                (d, cause) -> { throw new AssertionError(d + ": " + cause); });
        Targets.Counted counted = new Targets.Counted();
        int before = Targets.GOOD.get();
        try {
            counted.value();
            assertThat(Targets.GOOD.get()).isEqualTo(before + 1);
        } finally {
            weaver.reset(inst);
        }
        counted.value();
        assertThat(Targets.GOOD.get()).as("no advice after the reset").isEqualTo(before + 1);
        assertThat(weaver.transformed()).isEmpty();
    }
}
