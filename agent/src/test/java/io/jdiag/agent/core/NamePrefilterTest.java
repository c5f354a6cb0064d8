package io.jdiag.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;

class NamePrefilterTest {
    private static Detector detector(ElementMatcher<? super TypeDescription>... typeMatchers) {
        return new Detector() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public String description() {
                return "test";
            }

            @Override
            public List<TypeInstrumentation> instrumentations() {
                TypeInstrumentation[] all = new TypeInstrumentation[typeMatchers.length];
                for (int i = 0; i < typeMatchers.length; i++) {
                    ElementMatcher<? super TypeDescription> m = typeMatchers[i];
                    all[i] = new TypeInstrumentation() {
                        @Override
                        public ElementMatcher<? super TypeDescription> typeMatcher() {
                            return m;
                        }

                        @Override
                        public void transform(AdviceTarget advice) {}
                    };
                }
                return Arrays.asList(all);
            }

            @Override
            public void start(DetectorContext context) {}

            @Override
            public void warmUp() {}

            @Override
            public void stop() {}
        };
    }

    @Test
    void nameMatchersDecideByTheNameAlone() {
        NamePrefilter p = new NamePrefilter(Collections.singletonList(
                detector(named("java.io.FileInputStream"), namedOneOf("a.B", "c.D"))));
        assertThat(p.mayMatch("java/io/FileInputStream")).isTrue();
        assertThat(p.mayMatch("c/D")).isTrue();
        assertThat(p.mayMatch("com/example/OrdersController")).isFalse();
    }

    @Test
    void aMatcherThatNeedsMoreThanTheNameSaysMay() {
        NamePrefilter p = new NamePrefilter(Collections.singletonList(
                detector(nameContains("Servlet").and(not(isInterface())))));
        assertThat(p.mayMatch("org/example/Orders")).as("the name check fails first").isFalse();
        assertThat(p.mayMatch("org/example/OrdersServlet")).as("then modifiers are needed").isTrue();

        NamePrefilter hierarchy = new NamePrefilter(Collections.singletonList(detector(hasSuperType(named("x.Y")))));
        assertThat(hierarchy.mayMatch("org/example/Anything")).isTrue();
    }

    @Test
    void noDetectorMatchesNothing() {
        assertThat(new NamePrefilter(Collections.emptyList()).mayMatch("java/lang/String")).isFalse();
        assertThat(new NamePrefilter(Collections.emptyList()).mayMatch(null)).isTrue();
    }
}
