package io.jdiag.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;

/**
 * Builds the one {@link AgentBuilder} for all enabled detectors and installs it, retransforming
 * classes loaded before us (JDK classes like {@code FileInputStream} always are) in one batch.
 * Failures never escape: each is counted in {@code jdiag_agent_instrumentation_errors_total} and
 * logged once per type.
 */
final class Installer {
    private final LongAdder errors = new LongAdder();
    private final Set<String> transformed = ConcurrentHashMap.newKeySet();

    long errors() {
        return errors.sum();
    }

    ResettableClassFileTransformer install(Instrumentation inst, ClassLoader agentLoader, List<Detector> detectors) {
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                // A batch that fails is split until the class that cannot be retransformed is found;
                // the others still get instrumented.
                .with(AgentBuilder.RedefinitionStrategy.BatchAllocator.ForTotal.INSTANCE)
                .with(AgentBuilder.RedefinitionStrategy.Listener.BatchReallocator.splitting())
                .with(new AgentBuilder.RedefinitionStrategy.Listener.Adapter() {
                    @Override
                    public Iterable<? extends List<Class<?>>> onError(int index, List<Class<?>> batch, Throwable throwable,
                                                                       List<Class<?>> types) {
                        if (batch.size() == 1) {
                            error(batch.get(0).getName(), throwable);
                        }
                        return super.onError(index, batch, throwable, types);
                    }
                })
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                                                 boolean loaded, DynamicType dynamicType) {
                        transformed.add(type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        error(typeName, throwable);
                    }
                })
                // Byte Buddy ignores JDK classes by default; we instrument some, so we say exactly
                // what to leave alone: ourselves (incl. relocated libraries) and synthetic classes.
                .ignore(nameStartsWith("io.jdiag.")
                        .or(nameStartsWith("net.bytebuddy."))
                        .or(nameStartsWith("jdk.internal.reflect."))
                        .or(nameStartsWith("sun.reflect."))
                        .or(isSynthetic()));

        for (Detector detector : detectors) {
            for (TypeInstrumentation ti : detector.instrumentations()) {
                AgentBuilder.Transformer.ForAdvice[] forAdvice = {
                    new AgentBuilder.Transformer.ForAdvice().include(agentLoader)
                };
                ti.transform((methods, adviceClass) -> forAdvice[0] = forAdvice[0].advice(methods, adviceClass));
                builder = builder.type(ti.typeMatcher(), ti.classLoaderMatcher()).transform(forAdvice[0]);
            }
        }
        return builder.installOn(inst);
    }

    /** Says on stderr which required types are loaded but were not transformed, and how that blinds the detector. */
    void check(Instrumentation inst, List<Detector> detectors) {
        List<String> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            loaded.add(c.getName());
        }
        Set<String> loadedSet = Set.copyOf(loaded);
        for (Detector d : detectors) {
            for (TypeInstrumentation ti : d.instrumentations()) {
                for (String required : ti.requiredTypes()) {
                    if (loadedSet.contains(required) && !transformed.contains(required)) {
                        Log.line("jdiag: " + d.name() + ": could not instrument " + required
                                + ", so its part of the detector sees nothing; check the lines above for the cause"
                                + " and report it with your JDK version (" + System.getProperty("java.version") + ")");
                    }
                }
            }
        }
    }

    private void error(String typeName, Throwable t) {
        errors.increment();
        Log.once("instrument:" + typeName, "jdiag: could not instrument " + typeName + ": " + t
                + " (counted in jdiag_agent_instrumentation_errors_total; the application is unaffected)");
    }
}
