package io.jdiag.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import io.jdiag.bootstrap.HookGuard;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
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
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Builds the one {@link AgentBuilder} for all running detectors and installs it, retransforming
 * classes loaded before us (JDK classes like {@code FileInputStream} always are) in one batch.
 *
 * <p>One builder, not one per detector: every class the application loads is parsed once for all
 * detectors' matchers, not once per detector (start-up time on a framework application). Each
 * detector's part of it still runs in a guard of its own ({@link DetectorGuard}): preparing its
 * instrumentations, its type and class-loader matchers, and resolving its advice for a type. What
 * one of them throws turns that detector off ({@link FailureListener}), its matchers match nothing
 * from then on, and the classes it had woven are retransformed without its advice; the other
 * detectors' advice in those classes stays. A class that cannot be woven at all is counted in
 * {@code jdiag_agent_instrumentation_errors_total} and logged once; it is one class, not a detector.
 *
 * <p>Whenever any detector runs, the builder also holds the core's own instrumentation,
 * {@link BootDelegation} (class loaders answer {@code io.jdiag.bootstrap.*} from the boot loader),
 * in a guard of its own: its failure is one line and turns off nothing else.
 */
final class Installer {
    /** Told when a detector's instrumentation fails; may be called on any thread, inside a transformer. */
    interface FailureListener {
        void detectorFailed(String detector, String cause);
    }

    private final LongAdder errors = new LongAdder();
    private final Set<String> transformed = ConcurrentHashMap.newKeySet();
    /** Detector name → names of the classes its advice was woven into. */
    private final ConcurrentHashMap<String, Set<String>> woven = new ConcurrentHashMap<>();

    long errors() {
        return errors.sum();
    }

    /**
     * Installs the instrumentations of {@code detectors}. A detector whose instrumentations cannot
     * even be prepared is reported to {@code onFailure} before anything is installed and left out.
     */
    ResettableClassFileTransformer install(Instrumentation inst, ClassLoader agentLoader, List<Detector> detectors,
                                           FailureListener onFailure) {
        // Loaded here, not by the first class-file transform that needs it.
        HookGuard.inside();
        NamePrefilter prefilter = new NamePrefilter(detectors,
                detectors.isEmpty() ? List.of() : List.of(BootDelegation.instrumentation()));
        // Once now, before our transformer is registered: its first use makes a JDK proxy, which
        // loads java.lang.invoke classes; loaded through our own transformer, which asks the
        // pre-filter again, they are a ClassCircularityError (JDK 25).
        prefilter.mayMatch("java/lang/Object");
        disableNexus();
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                // A batch that fails is split until the class that cannot be retransformed is found;
                // the others still get instrumented.
                .with(AgentBuilder.RedefinitionStrategy.BatchAllocator.ForTotal.INSTANCE)
                // Which loaded classes to retransform: only those whose name some detector may match
                // (the prefilter), and again those loaded while retransforming (PrefilteredDiscovery).
                .with(new PrefilteredDiscovery(prefilter))
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
                // Everything Byte Buddy does in a transform (reading class files through the
                // application's loaders, which may open jars) is the agent's own work: no hook fires.
                // And a class no detector can match by its name never reaches Byte Buddy at all.
                .with((AgentBuilder.TransformerDecorator) t -> new GuardedTransformer(t, prefilter))
                // Byte Buddy ignores JDK classes by default; we instrument some, so we say exactly
                // what to leave alone: ourselves (incl. relocated libraries; not io.jdiag. as a whole,
                // which an application may use too — our own test apps do), an application's own
                // Byte Buddy and reflection accessors. By name only: any other property (isSynthetic(),
                // say) costs a parse of the class file of every class the JVM loads; no detector's type
                // matcher matches a synthetic class anyway. The "#...".substring(1)
                // keeps the shade plugin, which rewrites string constants that look like a relocated
                // package, from turning the application's package name into our relocated one.
                .ignore(nameStartsWith("io.jdiag.agent.").or(nameStartsWith("io.jdiag.bootstrap."))
                        .or(nameStartsWith("io.jdiag.shaded."))
                        .or(nameStartsWith("#net.bytebuddy.".substring(1)))
                        .or(nameStartsWith("jdk.internal.reflect."))
                        .or(nameStartsWith("sun.reflect.")));

        for (Detector detector : detectors) {
            DetectorGuard guard = new DetectorGuard(detector.name(), onFailure, agentLoader);
            builder = add(builder, guard, detector::instrumentations);
        }
        if (!detectors.isEmpty()) {
            // The core's own: hooks resolvable from loaders that do not delegate to the boot loader.
            // Its failure turns off nothing but itself (said once); the detectors run on.
            builder = add(builder, new DetectorGuard(BOOT_DELEGATION, (name, cause) -> Log.line(
                    "jdiag: boot delegation for class loaders is off (" + cause + "); in containers whose class loaders"
                            + " do not delegate to the boot loader (OSGi, JBoss Modules) the detectors see nothing"),
                    agentLoader), () -> List.of(BootDelegation.instrumentation()));
        }
        return builder.installOn(inst);
    }

    /** The name under which the core's boot-delegation instrumentation is guarded and logged. */
    static final String BOOT_DELEGATION = "boot-delegation";

    /** Where a guarded part (a detector, or the core's own) gets its instrumentations. */
    interface InstrumentationSource {
        List<TypeInstrumentation> get() throws Exception;
    }

    /** Adds one guarded part's instrumentations to the builder; one that cannot be prepared adds none. */
    private static AgentBuilder add(AgentBuilder builder, DetectorGuard guard, InstrumentationSource source) {
        List<AgentBuilder.Transformer.ForAdvice> transformers = new ArrayList<>();
        List<List<String>> adviceNames = new ArrayList<>();
        List<TypeInstrumentation> instrumentations;
        try {
            instrumentations = source.get();
            for (TypeInstrumentation ti : instrumentations) {
                AgentBuilder.Transformer.ForAdvice[] forAdvice = {
                    new AgentBuilder.Transformer.ForAdvice().include(guard.agentLoader)
                };
                List<String> names = new ArrayList<>();
                ti.transform((methods, adviceClass) -> {
                    forAdvice[0] = forAdvice[0].advice(methods, adviceClass);
                    names.add(adviceClass);
                });
                transformers.add(forAdvice[0]);
                adviceNames.add(names);
                ti.typeMatcher();
                ti.classLoaderMatcher();
            }
        } catch (Throwable t) {
            guard.fail("its instrumentation could not be prepared: " + DetectorCatalog.cause(t));
            return builder;
        }
        for (int i = 0; i < instrumentations.size(); i++) {
            TypeInstrumentation ti = instrumentations.get(i);
            builder = builder.type(guard.types(ti.typeMatcher()), guard.loaders(ti.classLoaderMatcher()))
                    .transform(guard.transformer(transformers.get(i), adviceNames.get(i)));
        }
        return builder;
    }

    /**
     * The loaded classes to retransform at install, in passes. The first pass is every class loaded
     * now; each later pass is the classes loaded since the previous one, until none are: matching a
     * class that is already loaded reflects on it, which loads the classes of its method signatures
     * ({@code ObjectOutputStream}, {@code CompletableFuture}, ...) inside our own transformer, where
     * the JVM calls no transformer for them (Byte Buddy's {@code Reiterating}, this far). Each pass
     * hands Byte Buddy only the classes whose name some detector's matcher may match
     * ({@link NamePrefilter}): the matchers are not run, reflectively and in the interpreter, over
     * the thousand-odd other classes loaded at premain, or the many thousands loaded before a hot attach.
     */
    static final class PrefilteredDiscovery implements AgentBuilder.RedefinitionStrategy.DiscoveryStrategy {
        private final NamePrefilter prefilter;

        PrefilteredDiscovery(NamePrefilter prefilter) {
            this.prefilter = prefilter;
        }

        // No lambda here: it would bootstrap java.lang.invoke classes now, while our transformer is
        // already registered, and loading them through it is a ClassCircularityError on JDK 25.
        @Override
        public Iterable<Iterable<Class<?>>> resolve(Instrumentation inst) {
            return new Passes(inst, prefilter);
        }

        private static final class Passes implements Iterable<Iterable<Class<?>>> {
            private final Instrumentation inst;
            private final NamePrefilter prefilter;

            Passes(Instrumentation inst, NamePrefilter prefilter) {
                this.inst = inst;
                this.prefilter = prefilter;
            }

            @Override
            public java.util.Iterator<Iterable<Class<?>>> iterator() {
                return new PassIterator(inst, prefilter);
            }
        }

        private static final class PassIterator implements java.util.Iterator<Iterable<Class<?>>> {
            private final Instrumentation inst;
            private final NamePrefilter prefilter;
            private final Set<Class<?>> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            private List<Class<?>> next;
            private boolean done;

            PassIterator(Instrumentation inst, NamePrefilter prefilter) {
                this.inst = inst;
                this.prefilter = prefilter;
            }

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    List<Class<?>> candidates = new ArrayList<>();
                    boolean anyNew = false;
                    for (Class<?> c : inst.getAllLoadedClasses()) {
                        if (seen.add(c)) {
                            anyNew = true;
                            if (prefilter.mayMatch(c.getName().replace('.', '/'))) {
                                candidates.add(c);
                            }
                        }
                    }
                    if (anyNew) {
                        next = candidates;
                    } else {
                        done = true;
                    }
                }
                return next != null;
            }

            @Override
            public Iterable<Class<?>> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                List<Class<?>> batch = next;
                next = null;
                return batch;
            }
        }
    }

    /**
     * Byte Buddy's transformer, shielded and pre-filtered. A class being loaded for the first time
     * reaches Byte Buddy only when some detector's type matcher may match its name
     * ({@link NamePrefilter}): Byte Buddy's own work per class (a type pool, a class file locator,
     * every detector's matchers) is skipped for the thousands of others a framework application
     * loads. Retransformations always go through. Everything Byte Buddy does inside runs shielded
     * ({@link HookGuard#enterNested()}): reading class files through the application's loaders may
     * open jars, and no hook must fire for it. Written for the Java 9+ {@code transform} with a module
     * directly, so Byte Buddy need not generate a class for it at start-up.
     */
    static final class GuardedTransformer extends ResettableClassFileTransformer.WithDelegation {
        private final NamePrefilter prefilter;

        GuardedTransformer(ResettableClassFileTransformer delegate, NamePrefilter prefilter) {
            super(delegate);
            this.prefilter = prefilter;
        }

        @Override
        public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain,
                                byte[] bytes) throws IllegalClassFormatException {
            if (redefined == null && !prefilter.mayMatch(internalName)) {
                return null;
            }
            HookGuard.Depth depth = HookGuard.enterNested();
            try {
                return classFileTransformer.transform(loader, internalName, redefined, domain, bytes);
            } finally {
                if (depth != null) {
                    depth.exit();
                }
            }
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> redefined,
                                ProtectionDomain domain, byte[] bytes) throws IllegalClassFormatException {
            if (redefined == null && !prefilter.mayMatch(internalName)) {
                return null;
            }
            HookGuard.Depth depth = HookGuard.enterNested();
            try {
                return classFileTransformer.transform(module, loader, internalName, redefined, domain, bytes);
            } finally {
                if (depth != null) {
                    depth.exit();
                }
            }
        }
    }

    /**
     * Byte Buddy's nexus (self-injection of type initializers, which advice never needs) reflects on
     * {@code sun.misc.Unsafe} when an {@code AgentBuilder} is first made, and JDK 24+ then prints
     * deprecation warnings into the application's stderr. Byte Buddy's own switch turns it off. The
     * property's name is read from the class, because shading relocates it with the package (ours is
     * {@code io.jdiag.shaded.bytebuddy.nexus.disabled}; an application's own Byte Buddy is not affected).
     */
    private static void disableNexus() {
        try {
            String property = (String) net.bytebuddy.dynamic.Nexus.class.getField("PROPERTY").get(null);
            if (System.getProperty(property) == null) {
                System.setProperty(property, "true");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the warning is cosmetic; install on
        }
    }

    /**
     * The loaded classes one detector wove its advice into, to be retransformed without it once it is
     * off ({@link #retransformWithout}).
     */
    Set<String> wovenBy(String detector) {
        Set<String> names = woven.get(detector);
        return names == null ? Set.of() : names;
    }

    /**
     * Retransforms the loaded classes a failed detector had woven, in one batch, so that they keep only
     * the other detectors' advice. Agent thread only: never from inside a transformer.
     */
    void retransformWithout(Instrumentation inst, String detector) {
        Set<String> names = new HashSet<>(wovenBy(detector));
        if (names.isEmpty()) {
            return;
        }
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (names.contains(c.getName()) && inst.isModifiableClass(c)) {
                classes.add(c);
            }
        }
        try {
            inst.retransformClasses(classes.toArray(new Class<?>[0]));
        } catch (Throwable t) {
            Log.line("jdiag: " + detector + ": could not remove its instrumentation from " + classes.size()
                    + " classes (" + t + "); its hooks do nothing now that it is off");
        }
    }

    /** Says on stderr which required types are loaded but were not transformed, and how that blinds the detector. */
    void check(Instrumentation inst, List<Detector> detectors) {
        Set<String> loaded = new HashSet<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            loaded.add(c.getName());
        }
        for (Detector d : detectors) {
            List<TypeInstrumentation> instrumentations;
            try {
                instrumentations = d.instrumentations();
            } catch (Throwable alreadyReported) {
                continue;
            }
            for (TypeInstrumentation ti : instrumentations) {
                for (String required : ti.requiredTypes()) {
                    if (loaded.contains(required) && !transformed.contains(required)) {
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

    /**
     * One detector's share of the builder. What its own code gets wrong turns the detector off: its
     * instrumentation cannot be prepared, or its advice cannot be compiled (a class missing from the
     * agent jar, an advice the Byte Buddy version cannot handle) — then it is broken for every class.
     * What one odd class of the application does to it (a type whose hierarchy names a class that is
     * not there, as optional dependencies do) only leaves that class uninstrumented: counted in
     * {@code jdiag_agent_instrumentation_errors_total}, said once, and the detector works on.
     */
    private final class DetectorGuard {
        private final String detector;
        private final FailureListener onFailure;
        private final ClassLoader agentLoader;
        private volatile boolean off;

        DetectorGuard(String detector, FailureListener onFailure, ClassLoader agentLoader) {
            this.detector = detector;
            this.onFailure = onFailure;
            this.agentLoader = agentLoader;
        }

        void fail(String cause) {
            if (!off) {
                off = true;
                errors.increment();
                onFailure.detectorFailed(detector, cause);
            }
        }

        /** One class this detector cannot instrument: the class is skipped, the detector is not. */
        void skip(String typeName, String what, Throwable t) {
            errors.increment();
            Log.once("skip:" + detector + ":" + typeName, "jdiag: " + detector + ": " + what + " " + typeName + " ("
                    + DetectorCatalog.cause(t) + "); that class is not instrumented (counted in"
                    + " jdiag_agent_instrumentation_errors_total; the application is unaffected)");
        }

        ElementMatcher<TypeDescription> types(ElementMatcher<? super TypeDescription> delegate) {
            return type -> {
                if (off) {
                    return false;
                }
                try {
                    return delegate.matches(type);
                } catch (Throwable t) {
                    skip(type.getName(), "could not match", t);
                    return false;
                }
            };
        }

        ElementMatcher<ClassLoader> loaders(ElementMatcher<? super ClassLoader> delegate) {
            return loader -> {
                if (off) {
                    return false;
                }
                try {
                    return delegate.matches(loader);
                } catch (Throwable t) {
                    skip(String.valueOf(loader), "could not look into the class loader", t);
                    return false;
                }
            };
        }

        AgentBuilder.Transformer transformer(AgentBuilder.Transformer delegate, List<String> adviceNames) {
            return (builder, type, loader, module, domain) -> {
                if (off) {
                    return builder;
                }
                try {
                    DynamicType.Builder<?> woven = delegate.transform(builder, type, loader, module, domain);
                    Installer.this.woven.computeIfAbsent(detector, k -> ConcurrentHashMap.newKeySet()).add(type.getName());
                    return woven;
                } catch (Throwable t) {
                    String broken = brokenAdvice(adviceNames);
                    if (broken != null) {
                        fail("its advice could not be applied to " + type.getName() + ": " + broken);
                    } else {
                        skip(type.getName(), "could not apply its advice to", t);
                    }
                    return builder;
                }
            };
        }

        /** Why one of these advice classes cannot be compiled on its own, or null when all can. */
        private String brokenAdvice(List<String> adviceNames) {
            for (String name : adviceNames) {
                try {
                    net.bytebuddy.asm.Advice.to(Class.forName(name, false, agentLoader));
                } catch (Throwable t) {
                    return DetectorCatalog.cause(t);
                }
            }
            return null;
        }
    }
}
