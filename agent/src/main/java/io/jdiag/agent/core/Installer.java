package io.jdiag.agent.core;

import io.jdiag.bootstrap.HookGuard;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;

/**
 * Installs the one {@link Weaver} for all running detectors, retransforming the classes loaded
 * before us (JDK classes like {@code FileInputStream} always are) in one batch.
 *
 * <p>One transformer, not one per detector: every class the application loads is parsed once for
 * all detectors' matchers, not once per detector (start-up time on a framework application). Each
 * detector's part of it still runs in a guard of its own ({@link Guard}): preparing its
 * instrumentations, its type and class-loader matchers, and resolving its advice for a type. What
 * one of them throws turns that detector off ({@link FailureListener}), its matchers match nothing
 * from then on, and the classes it had woven are retransformed without its advice; the other
 * detectors' advice in those classes stays. A class that cannot be woven at all is counted in
 * {@code jdiag_agent_instrumentation_errors_total} and logged once; it is one class, not a detector.
 *
 * <p>Whenever any detector runs, the weaver also holds the core's own instrumentation,
 * {@link BootDelegation} (class loaders answer {@code io.jdiag.bootstrap.*} from the boot loader),
 * in a guard of its own: its failure is one line and turns off nothing else.
 */
final class Installer {
    /** Told when a detector's instrumentation fails; may be called on any thread, inside a transformer. */
    interface FailureListener {
        void detectorFailed(String detector, String cause);
    }

    private final LongAdder errors = new LongAdder();
    private volatile Weaver weaver;
    /** Detector name → names of the classes its advice was woven into. */
    private final ConcurrentHashMap<String, Set<String>> woven = new ConcurrentHashMap<>();

    long errors() {
        return errors.sum();
    }

    /**
     * Installs the instrumentations of {@code detectors}: registers the {@link Weaver} and
     * retransforms the loaded classes some detector may match. A detector whose instrumentations
     * cannot even be prepared is reported to {@code onFailure} before anything is installed and left out.
     */
    Weaver install(Instrumentation inst, ClassLoader agentLoader, List<Detector> detectors, FailureListener onFailure) {
        // Loaded here, not by the first class-file transform that needs it.
        HookGuard.inside();
        NamePrefilter prefilter = new NamePrefilter(detectors,
                detectors.isEmpty() ? List.of() : List.of(BootDelegation.instrumentation()));
        // Once now, before our transformer is registered: its first use loads classes (Byte Buddy's
        // type descriptions and matchers, java.lang.invoke for their lambdas); loaded through our own
        // transformer, which asks the pre-filter again, they are a ClassCircularityError (JDK 25).
        prefilter.mayMatch("java/lang/Object");
        disableNexus();
        List<Weaver.Part> parts = new ArrayList<>();
        for (Detector detector : detectors) {
            Weaver.Part part = prepare(new Guard(detector.name(), onFailure, agentLoader), detector::instrumentations);
            if (part != null) {
                parts.add(part);
            }
        }
        if (!detectors.isEmpty()) {
            // The core's own: hooks resolvable from loaders that do not delegate to the boot loader.
            // Its failure turns off nothing but itself (said once); the detectors run on.
            Weaver.Part part = prepare(new Guard(BOOT_DELEGATION, (name, cause) -> Log.line(
                    "jdiag: boot delegation for class loaders is off (" + cause + "); in containers whose class loaders"
                            + " do not delegate to the boot loader (OSGi, JBoss Modules) the detectors see nothing"),
                    agentLoader), () -> List.of(BootDelegation.instrumentation()));
            if (part != null) {
                parts.add(part);
            }
        }
        Weaver weaver = new Weaver(parts, prefilter, agentLoader, this::error);
        this.weaver = weaver;
        // classes loaded through the weaver while the pass runs have their advice already: not again
        weaver.recordLoads(true);
        inst.addTransformer(weaver, true);
        PassIterator passes = new PassIterator(inst, prefilter);
        while (passes.hasNext()) {
            List<Class<?>> batch = new ArrayList<>();
            for (Class<?> c : passes.next()) {
                if (!Weaver.ignored(c.getName().replace('.', '/')) && inst.isModifiableClass(c)
                        && !weaver.loadedThroughUs(c)) {
                    batch.add(c);
                }
            }
            retransform(inst, batch, (c, t) -> error(c.getName(), t));
        }
        weaver.recordLoads(false);
        return weaver;
    }

    /** The name under which the core's boot-delegation instrumentation is guarded and logged. */
    static final String BOOT_DELEGATION = "boot-delegation";

    /** Where a guarded part (a detector, or the core's own) gets its instrumentations. */
    interface InstrumentationSource {
        List<TypeInstrumentation> get() throws Exception;
    }

    /** One guarded part's instrumentations and advice; null (and the part failed) when they cannot be prepared. */
    private static Weaver.Part prepare(Guard guard, InstrumentationSource source) {
        try {
            List<TypeInstrumentation> instrumentations = source.get();
            List<List<Weaver.AdviceEntry>> advice = new ArrayList<>();
            for (TypeInstrumentation ti : instrumentations) {
                List<Weaver.AdviceEntry> entries = new ArrayList<>();
                ti.transform((methods, adviceClass) -> entries.add(new Weaver.AdviceEntry(methods, adviceClass)));
                advice.add(entries);
                ti.typeMatcher();
                ti.classLoaderMatcher();
            }
            return new Weaver.Part(guard, instrumentations, advice);
        } catch (Throwable t) {
            guard.fail("its instrumentation could not be prepared: " + DetectorCatalog.cause(t));
            return null;
        }
    }

    /** Told about one class that could not be retransformed. */
    interface RetransformErrors {
        void failed(Class<?> type, Throwable t);
    }

    /** Retransforms the loaded, modifiable classes whose binary name is in {@code names} (every loader's). */
    static void retransformNamed(Instrumentation inst, Set<String> names, RetransformErrors onError) {
        List<Class<?>> classes = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (names.contains(c.getName()) && inst.isModifiableClass(c)) {
                classes.add(c);
            }
        }
        retransform(inst, classes, onError);
    }

    /**
     * Retransforms {@code classes} in one call; a batch that fails is split in halves until the class
     * that cannot be retransformed is found, and the others still are.
     */
    static void retransform(Instrumentation inst, List<Class<?>> classes, RetransformErrors onError) {
        if (classes.isEmpty()) {
            return;
        }
        try {
            inst.retransformClasses(classes.toArray(new Class<?>[0]));
        } catch (Throwable t) {
            if (classes.size() == 1) {
                onError.failed(classes.get(0), t);
                return;
            }
            int half = classes.size() / 2;
            retransform(inst, new ArrayList<>(classes.subList(0, half)), onError);
            retransform(inst, new ArrayList<>(classes.subList(half, classes.size())), onError);
        }
    }

    /**
     * The loaded classes to retransform at install, in passes. The first pass is every class loaded
     * now; each later pass is the classes loaded since the previous one, until none are: matching
     * may load classes (a loader's own), and classes loaded while we retransform go through our
     * transformer already, but those loaded between the list and the registration would be missed.
     * Each pass holds only the classes whose name some detector's matcher may match
     * ({@link NamePrefilter}): the matchers are not run, in the interpreter, over the thousand-odd
     * other classes loaded at premain, or the many thousands loaded before a hot attach.
     * No lambda here: it would bootstrap java.lang.invoke classes now, while our transformer is
     * already registered, and loading them through it is a ClassCircularityError on JDK 25.
     */
    static final class PassIterator implements java.util.Iterator<List<Class<?>>> {
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
        public List<Class<?>> next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            List<Class<?>> batch = next;
            next = null;
            return batch;
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
        int[] failed = {0};
        retransformNamed(inst, names, (c, t) -> failed[0]++);
        if (failed[0] > 0) {
            Log.line("jdiag: " + detector + ": could not remove its instrumentation from " + failed[0]
                    + " classes; its hooks do nothing now that it is off");
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
                    if (loaded.contains(required) && (weaver == null || !weaver.transformed().contains(required))) {
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
     * One detector's share of the weaving (or the core's own). What its own code gets wrong turns the
     * detector off: its instrumentation cannot be prepared, or its advice cannot be compiled (a class
     * missing from the agent jar, an advice the Byte Buddy version cannot handle) — then it is broken
     * for every class. What one odd class of the application does to it (a type whose hierarchy names
     * a class that is not there, as optional dependencies do) only leaves that class uninstrumented:
     * counted in {@code jdiag_agent_instrumentation_errors_total}, said once, and the detector works on.
     */
    final class Guard {
        private final String detector;
        private final FailureListener onFailure;
        private final ClassLoader agentLoader;
        private volatile boolean off;

        Guard(String detector, FailureListener onFailure, ClassLoader agentLoader) {
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

        boolean matchesLoader(TypeInstrumentation ti, ClassLoader loader) {
            if (off) {
                return false;
            }
            try {
                return ti.classLoaderMatcher().matches(loader);
            } catch (Throwable t) {
                skip(String.valueOf(loader), "could not look into the class loader", t);
                return false;
            }
        }

        boolean matchesType(TypeInstrumentation ti, TypeDescription type) {
            if (off) {
                return false;
            }
            try {
                return ti.typeMatcher().matches(type);
            } catch (Throwable t) {
                skip(type.getName(), "could not match", t);
                return false;
            }
        }

        /**
         * {@code methods} with this part's advice for one instrumentation added, or {@code methods}
         * itself when it has none for {@code type}. An entry whose methods the type does not declare
         * adds nothing: registered anyway, it would make Byte Buddy rewrite the whole class for no
         * change (at a Spring Boot start, five classes and 60 ms on its main thread:
         * {@code FrameworkServlet} matches the servlet types but declares no public {@code service}).
         * Matching the declared methods is cheap; rewriting is what costs.
         */
        AsmVisitorWrapper.ForDeclaredMethods weave(AsmVisitorWrapper.ForDeclaredMethods methods, TypeDescription type,
                                                   List<Weaver.AdviceEntry> entries, Weaver.AdviceSource source) {
            if (off) {
                return methods;
            }
            try {
                AsmVisitorWrapper.ForDeclaredMethods woven = methods;
                MethodList<MethodDescription.InDefinedShape> declared = type.getDeclaredMethods();
                for (Weaver.AdviceEntry e : entries) {
                    // compiled even when unused here (once per loader, cached): a broken advice turns
                    // its detector off at the first class its type matcher takes, as before
                    Advice advice = source.advice(e.adviceClass);
                    if (!declared.filter(e.methods).isEmpty()) {
                        woven = woven.invokable(e.methods, advice);
                    }
                }
                return woven;
            } catch (Throwable t) {
                String broken = brokenAdvice(entries);
                if (broken != null) {
                    fail("its advice could not be applied to " + type.getName() + ": " + broken);
                } else {
                    skip(type.getName(), "could not apply its advice to", t);
                }
                return methods;
            }
        }

        void woven(String typeName) {
            Installer.this.woven.computeIfAbsent(detector, k -> ConcurrentHashMap.newKeySet()).add(typeName);
        }

        /** Why one of these advice classes cannot be compiled on its own, or null when all can. */
        private String brokenAdvice(List<Weaver.AdviceEntry> entries) {
            for (Weaver.AdviceEntry e : entries) {
                try {
                    Advice.to(Class.forName(e.adviceClass, false, agentLoader));
                } catch (Throwable t) {
                    return DetectorCatalog.cause(t);
                }
            }
            return null;
        }
    }
}
