package io.jdiag.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import io.jdiag.testtargets.Targets;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;

/**
 * The installer, in this JVM (Byte Buddy's agent attached to the test JVM): a detector whose advice
 * fails on one class is turned off, the classes it had already woven are retransformed without its
 * advice, and another detector's advice in those same classes stays.
 */
class InstallerTest {
    public static class GoodAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            Targets.GOOD.incrementAndGet();
        }
    }

    public static class FlakyAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            Targets.FLAKY.incrementAndGet();
        }
    }

    static TypeInstrumentation on(String type, String advice) {
        return new TypeInstrumentation() {
            @Override
            public ElementMatcher<? super TypeDescription> typeMatcher() {
                return named(type);
            }

            @Override
            public void transform(AdviceTarget target) {
                target.apply(named("value"), advice);
            }
        };
    }

    static Detector detector(String name, TypeInstrumentation... instrumentations) {
        return new ConfigTest.FakeDetector() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<TypeInstrumentation> instrumentations() {
                return List.of(instrumentations);
            }
        };
    }

    @Test
    void aDetectorWhoseAdviceFailsIsTurnedOffAndItsAdviceTakenBackWhileTheOthersStays() throws Exception {
        Instrumentation inst = ByteBuddyAgent.install();
        Installer installer = new Installer();
        List<String> failures = new ArrayList<>();
        String woven = Targets.Woven.class.getName();
        Detector good = detector("good", on(woven, GoodAdvice.class.getName()));
        Detector flaky = detector("flaky", on(woven, FlakyAdvice.class.getName()),
                on("io.jdiag.testtargets.Targets$FailsToWeave", "no.such.Advice"));
        Weaver t = installer.install(inst, InstallerTest.class.getClassLoader(),
                List.of(good, flaky), (d, cause) -> failures.add(d + ": " + cause));
        try {
            int goodCalls = Targets.GOOD.get();
            int flakyCalls = Targets.FLAKY.get();
            Targets.Woven w = new Targets.Woven();
            assertThat(w.value()).isEqualTo(42);
            assertThat(Targets.GOOD.get()).isEqualTo(goodCalls + 1);
            assertThat(Targets.FLAKY.get()).as("flaky's advice works on Woven").isEqualTo(flakyCalls + 1);
            assertThat(installer.wovenBy("flaky")).contains(woven);

            assertThat(new Targets.FailsToWeave().value()).as("the application never notices").isEqualTo(7);
            assertThat(failures).singleElement().asString()
                    .startsWith("flaky: its advice could not be applied to io.jdiag.testtargets.Targets$FailsToWeave")
                    .contains("no.such.Advice");
            assertThat(installer.errors()).isEqualTo(1);

            installer.retransformWithout(inst, "flaky"); // what the agent thread does next
            w.value();
            assertThat(Targets.GOOD.get()).as("the good detector's advice stays").isEqualTo(goodCalls + 2);
            assertThat(Targets.FLAKY.get()).as("the failed detector's advice is gone").isEqualTo(flakyCalls + 1);
        } finally {
            t.reset(inst);
        }
    }

    @Test
    void aDetectorWhoseInstrumentationCannotBePreparedIsLeftOutBeforeInstalling() {
        Instrumentation inst = ByteBuddyAgent.install();
        List<String> failures = new ArrayList<>();
        Detector broken = new ConfigTest.FakeDetector() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public List<TypeInstrumentation> instrumentations() {
                throw new NoClassDefFoundError("org/example/Missing");
            }
        };
        Weaver t = new Installer().install(inst, InstallerTest.class.getClassLoader(),
                List.of(broken), (d, cause) -> failures.add(d + ": " + cause));
        t.reset(inst);
        assertThat(failures).containsExactly(
                "broken: its instrumentation could not be prepared: java.lang.NoClassDefFoundError: org/example/Missing");
    }

    /**
     * A class the matcher cannot decide on (its hierarchy names a class that is not there, as H2's
     * optional geometry types do) is one class left alone, not a broken detector.
     */
    @Test
    void aClassTheMatcherCannotDecideOnIsSkippedAndTheDetectorWorksOn() {
        Instrumentation inst = ByteBuddyAgent.install();
        Installer installer = new Installer();
        List<String> failures = new ArrayList<>();
        TypeInstrumentation odd = new TypeInstrumentation() {
            @Override
            public ElementMatcher<? super TypeDescription> typeMatcher() {
                return type -> {
                    if (type.getName().endsWith("$Odd")) {
                        throw new NoClassDefFoundError("org/h2/value/ValueGeometry");
                    }
                    return type.getName().endsWith("$Counted");
                };
            }

            @Override
            public void transform(AdviceTarget target) {
                target.apply(named("value"), GoodAdvice.class.getName());
            }
        };
        Weaver t = installer.install(inst, InstallerTest.class.getClassLoader(),
                List.of(detector("odd", odd)), (d, cause) -> failures.add(d + ": " + cause));
        try {
            int before = Targets.GOOD.get();
            assertThat(new Targets.Odd().value()).isEqualTo(1);
            assertThat(new Targets.Counted().value()).isEqualTo(2);
            assertThat(failures).isEmpty();
            assertThat(installer.errors()).isEqualTo(1);
            assertThat(Targets.GOOD.get()).as("the detector still instruments the other classes").isEqualTo(before + 1);
        } finally {
            t.reset(inst);
        }
    }
}
