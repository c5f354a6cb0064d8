package io.jdiag.agent.testdetectors;

import io.jdiag.agent.core.Detector;
import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.TypeInstrumentation;
import java.util.Collections;
import java.util.List;

/**
 * Detectors that break at one step each, for the isolation tests: the integration test
 * {@code DetectorIsolationIT} registers them in a copy of the shipped agent jar (they are not in the
 * real one, relocated as the shade plugin relocates the agent) and checks that each is turned off
 * alone while the real detectors run on.
 */
public abstract class BrokenDetector implements Detector {
    @Override
    public String description() {
        return name() + " test detector";
    }

    @Override
    public List<TypeInstrumentation> instrumentations() {
        return Collections.emptyList();
    }

    @Override
    public void start(DetectorContext context) throws Exception {
    }

    @Override
    public void warmUp() throws Exception {
    }

    @Override
    public void stop() {
    }

    /** Registers metrics and a periodic task, then throws: none of what it registered may outlive it. */
    public static final class StartFails extends BrokenDetector {
        @Override
        public String name() {
            return "start-fails";
        }

        @Override
        public void start(DetectorContext context) {
            context.registry().register(new HalfStartedMetric());
            context.every(10, () -> {
                throw new AssertionError("the periodic task of a failed detector ran");
            });
            throw new IllegalStateException("boom at start");
        }
    }

    /** Its library is missing: preparing its instrumentation throws, as a matcher naming a missing class would. */
    public static final class InstrumentationFails extends BrokenDetector {
        @Override
        public String name() {
            return "instrumentation-fails";
        }

        @Override
        public List<TypeInstrumentation> instrumentations() {
            throw new NoClassDefFoundError("org/example/MissingLibrary");
        }
    }

    public static final class WarmUpFails extends BrokenDetector {
        @Override
        public String name() {
            return "warmup-fails";
        }

        @Override
        public void warmUp() {
            throw new UnsupportedOperationException("boom at warm-up");
        }
    }

    /**
     * Its advice cannot be resolved (the advice class does not exist): applying it to the test
     * service's {@code FilesServlet} fails inside the class-file transformer, at class load after
     * premain or at retransformation on attach.
     */
    public static final class AdviceFails extends BrokenDetector {
        @Override
        public String name() {
            return "advice-fails";
        }

        @Override
        public List<TypeInstrumentation> instrumentations() {
            return Collections.singletonList(new TypeInstrumentation() {
                @Override
                public net.bytebuddy.matcher.ElementMatcher<? super net.bytebuddy.description.type.TypeDescription> typeMatcher() {
                    return net.bytebuddy.matcher.ElementMatchers.named("io.jdiag.testapp.FilesServlet");
                }

                @Override
                public void transform(AdviceTarget advice) {
                    advice.apply(net.bytebuddy.matcher.ElementMatchers.named("doGet"),
                            "io.jdiag.agent.testdetectors.NoSuchAdvice");
                }
            });
        }
    }

    /** A metric family named so the test can look for it; present only while its detector runs. */
    static final class HalfStartedMetric extends io.prometheus.client.Collector {
        @Override
        public List<MetricFamilySamples> collect() {
            return Collections.singletonList(new io.prometheus.client.GaugeMetricFamily(
                    "jdiag_test_half_started", "registered by a detector that then failed", 1));
        }
    }
}
