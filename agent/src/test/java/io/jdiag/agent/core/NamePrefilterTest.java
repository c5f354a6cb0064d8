package io.jdiag.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.nameMatches;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
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
    void prefixesSuffixesInfixesAndDisjunctionsAreIndexedAndStillConfirmedByTheMatcher() {
        NamePrefilter p = new NamePrefilter(Collections.singletonList(detector(
                nameStartsWith("org.acme.pool.").and(not(nameContains("$$"))),
                named("io.netty.channel.Native").or(nameEndsWith(".io.netty.channel.Native")),
                nameContains("DataSource").and(not(isInterface())))));
        assertThat(p.unindexed()).isZero();
        assertThat(p.mayMatch("org/acme/pool/Pool")).isTrue();
        assertThat(p.mayMatch("org/acme/pool/Pool$$Proxy")).as("the matcher itself still says no").isFalse();
        assertThat(p.mayMatch("org/acme/Pool")).isFalse();
        assertThat(p.mayMatch("io/netty/channel/Native")).isTrue();
        assertThat(p.mayMatch("shaded/io/netty/channel/Native")).isTrue();
        assertThat(p.mayMatch("io/netty/channel/NativeX")).isFalse();
        assertThat(p.mayMatch("com/example/OrdersDataSource")).isTrue();
        assertThat(p.mayMatch("com/example/Orders")).isFalse();
        NamePrefilter unreadable = new NamePrefilter(Collections.singletonList(detector(isInterface().and(named("a.B")))));
        assertThat(unreadable.unindexed()).as("the name check is the second part: still found").isZero();
        assertThat(new NamePrefilter(Collections.singletonList(detector(nameMatches("a\\..*")))).unindexed())
                .as("a regular expression has no condition read from it").isOne();
    }

    /**
     * The index answers exactly as asking every shipped detector's matcher about the name did,
     * over every class name of java.base and names made to hit each kind of condition; and no
     * shipped matcher is left unindexed (asked about every class the JVM loads).
     */
    @Test
    void forTheShippedDetectorsTheIndexAnswersAsAskingEveryMatcher() throws Exception {
        List<Detector> detectors = DetectorCatalog.load(NamePrefilterTest.class.getClassLoader()).detectors();
        NamePrefilter p = new NamePrefilter(detectors, List.of(BootDelegation.instrumentation()));
        assertThat(p.unindexed()).isZero();
        List<ElementMatcher<? super TypeDescription>> all = new java.util.ArrayList<>();
        all.add(BootDelegation.instrumentation().typeMatcher());
        for (Detector d : detectors) {
            for (TypeInstrumentation ti : d.instrumentations()) {
                all.add(ti.typeMatcher());
            }
        }
        List<String> names = new java.util.ArrayList<>(List.of("java/io/FileInputStream", "sun/nio/ch/FileChannelImpl",
                "com/fasterxml/jackson/databind/ObjectMapper", "com/zaxxer/hikari/pool/HikariPool",
                "org/example/OrdersServlet", "org/example/OrdersServlet$$Lambda", "org/example/MyDataSource",
                "org/example/AppClassLoader", "org/example/MyStatement", "org/example/MyResultSet",
                "org/example/MyConnection", "com/zaxxer/hikari/pool/HikariProxyConnection", "org/example/UploadRequest",
                "org/apache/hc/client5/http/impl/io/PoolingHttpClientConnectionManager$1",
                "shaded/io/netty/util/concurrent/SingleThreadEventExecutor", "io/netty/channel/epoll/Native",
                "org/springframework/web/servlet/DispatcherServlet", "okhttp3/internal/connection/RealCall"));
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(
                java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/")).getPath("modules", "java.base"))) {
            files.map(f -> f.toString()).filter(f -> f.endsWith(".class") && !f.endsWith("module-info.class"))
                    .map(f -> f.substring("/modules/java.base/".length(), f.length() - ".class".length()))
                    .forEach(names::add);
        }
        assertThat(names).hasSizeGreaterThan(1000);
        int may = 0;
        for (String internal : names) {
            boolean asked = false;
            TypeDescription type = NamePrefilter.nameOnly(internal.replace('/', '.'));
            for (ElementMatcher<? super TypeDescription> m : all) {
                try {
                    asked |= m.matches(type);
                } catch (RuntimeException needsMore) {
                    asked = true;
                }
            }
            asked &= !NamePrefilter.isReflectionMachinery(internal);
            assertThat(p.mayMatch(internal)).as(internal).isEqualTo(asked);
            may += asked ? 1 : 0;
        }
        assertThat(may).as("some, not all").isBetween(20, names.size() / 10);
    }

    @Test
    void noDetectorMatchesNothing() {
        assertThat(new NamePrefilter(Collections.emptyList()).mayMatch("java/lang/String")).isFalse();
        assertThat(new NamePrefilter(Collections.emptyList()).mayMatch(null)).isTrue();
    }
}
