package io.jdiag.agent.core;

import io.jdiag.bootstrap.HookGuard;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * The agent's one class-file transformer: it weaves the running detectors' advice into the classes
 * their matchers select, at load and at retransformation.
 *
 * <p>Written on Byte Buddy's type pool and {@link Advice} directly, not on its {@code AgentBuilder}:
 * the builder's strategies are most of the Byte Buddy classes an agent loads, and its first use
 * generates (in the interpreter, at every start) a subclass of its own transformer for Java 9
 * modules; together a quarter of a second of premain. What the builder did that we need is here:
 * a class's description from its class file (never by reflection, which loads the classes of its
 * method signatures inside the transformer), the loader and type matchers, and the advice woven by
 * decoration only (no member is added, no method graph of the hierarchy is computed: advice goes
 * into the methods a class declares).
 *
 * <p>Per class: names no detector may match ({@link NamePrefilter}) and the agent's own classes are
 * answered first and cost a few string checks; everything else runs shielded
 * ({@link HookGuard#enterNested()}: reading class files through an application's loader may open
 * jars, and no hook must fire for it), and no failure leaves this method: a class that cannot be
 * woven is one class, counted; a detector whose advice is broken is turned off by its guard.
 */
final class Weaver implements ClassFileTransformer {
    /** One guarded part (a detector, or the core's own) with its instrumentations. */
    static final class Part {
        final Installer.Guard guard;
        final List<TypeInstrumentation> instrumentations;
        /** Per instrumentation: (method matcher, advice class name) pairs, in order. */
        final List<List<AdviceEntry>> advice;

        Part(Installer.Guard guard, List<TypeInstrumentation> instrumentations, List<List<AdviceEntry>> advice) {
            this.guard = guard;
            this.instrumentations = instrumentations;
            this.advice = advice;
        }
    }

    static final class AdviceEntry {
        final ElementMatcher<? super MethodDescription> methods;
        final String adviceClass;

        AdviceEntry(ElementMatcher<? super MethodDescription> methods, String adviceClass) {
            this.methods = methods;
            this.adviceClass = adviceClass;
        }
    }

    /** Told about a class that could not be woven at all (not one detector's fault). */
    interface Errors {
        void error(String typeName, Throwable t);
    }

    private final List<Part> parts;
    private final NamePrefilter prefilter;
    /**
     * While the installer retransforms the loaded classes: per loader, the internal names of the
     * classes this transformer saw being loaded, which have all our advice already and need no
     * retransformation. Null when not recording.
     */
    private volatile Map<ClassLoader, Set<String>> loadedWhileInstalling;
    private final ClassFileLocator agentClassFiles;
    private final Errors errors;
    private final ByteBuddy byteBuddy = new ByteBuddy()
            .with(TypeValidation.DISABLED)
            // advice goes into declared methods only: the hierarchy's method graph is never needed
            .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
            // no class-format change: no added fields, methods or type initializer
            .with(Implementation.Context.Disabled.Factory.INSTANCE);
    private final AdviceSource bootAdvice;
    private final Map<ClassLoader, AdviceSource> loaderAdvice = new WeakHashMap<>();
    /** Binary names of the classes this transformer changed: what a reset retransforms. */
    private final Set<String> transformed = ConcurrentHashMap.newKeySet();

    Weaver(List<Part> parts, NamePrefilter prefilter, ClassLoader agentLoader, Errors errors) {
        this.parts = parts;
        this.prefilter = prefilter;
        this.agentClassFiles = ClassFileLocator.ForClassLoader.of(agentLoader);
        // JDK classes: the agent's loader sees every type their advice names
        this.bootAdvice = new AdviceSource(agentClassFiles);
        this.errors = errors;
    }

    Set<String> transformed() {
        return transformed;
    }

    /** Starts or stops recording the classes loaded while the installer retransforms. */
    void recordLoads(boolean on) {
        loadedWhileInstalling = on ? new java.util.IdentityHashMap<>() : null;
    }

    /** No lambda: this runs inside the transformer (see {@link Installer.PassIterator}). */
    private void loadedWhileInstalling(ClassLoader loader, String internalName) {
        Map<ClassLoader, Set<String>> loads = loadedWhileInstalling;
        if (loads != null) {
            synchronized (loads) {
                Set<String> names = loads.get(loader);
                if (names == null) {
                    names = new java.util.HashSet<>();
                    loads.put(loader, names);
                }
                names.add(internalName);
            }
        }
    }

    /**
     * Whether {@code c} went through this transformer when it was loaded, while recording: it holds
     * every advice already, and retransforming it would weave it a second time for nothing (at
     * premain, the application loads hundreds of classes while the agent's thread installs).
     */
    boolean loadedThroughUs(Class<?> c) {
        Map<ClassLoader, Set<String>> loads = loadedWhileInstalling;
        if (loads == null) {
            return false;
        }
        synchronized (loads) {
            Set<String> names = loads.get(c.getClassLoader());
            return names != null && names.contains(c.getName().replace('.', '/'));
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) {
        if (internalName == null || ignored(internalName) || !prefilter.mayMatch(internalName)) {
            return null;
        }
        if (redefined == null) {
            loadedWhileInstalling(loader, internalName);
        }
        HookGuard.Depth depth = HookGuard.enterNested();
        try {
            return weave(loader, internalName.replace('/', '.'), bytes);
        } catch (Throwable t) {
            errors.error(internalName.replace('/', '.'), t);
            return null;
        } finally {
            if (depth != null) {
                depth.exit();
            }
        }
    }

    /**
     * Never woven: ourselves (incl. relocated libraries; not {@code io.jdiag.} as a whole, which an
     * application may use too — our own test apps do), an application's own Byte Buddy and the JDK's
     * reflection accessors. The {@code "#..."} strings keep the shade plugin, which rewrites string
     * constants that look like a relocated package, from turning them into our relocated name.
     */
    static boolean ignored(String internalName) {
        return internalName.startsWith("io/jdiag/agent/") || internalName.startsWith("io/jdiag/bootstrap/")
                || internalName.startsWith("io/jdiag/shaded/") || internalName.startsWith("#net/bytebuddy/".substring(1))
                || internalName.startsWith("jdk/internal/reflect/") || internalName.startsWith("sun/reflect/");
    }

    private byte[] weave(ClassLoader loader, String name, byte[] bytes) {
        ClassFileLocator classFiles = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, bytes),
                ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = pool(classFiles);
        TypeDescription type = null;
        // All advice for this class in one method wrapper: Byte Buddy indexes the class's declared
        // methods (resolving every signature) once per wrapper, so one per advice entry did it up to
        // six times for a JDK stream class and three for ObjectMapper's 300 methods.
        AsmVisitorWrapper.ForDeclaredMethods methods = null;
        AdviceSource advice = null;
        List<Part> wovenBy = new ArrayList<>(2);
        for (Part part : parts) {
            Installer.Guard guard = part.guard;
            for (int i = 0; i < part.instrumentations.size(); i++) {
                TypeInstrumentation ti = part.instrumentations.get(i);
                if (!guard.matchesLoader(ti, loader)) {
                    continue;
                }
                if (type == null) {
                    type = pool.describe(name).resolve();
                }
                if (!guard.matchesType(ti, type)) {
                    continue;
                }
                if (methods == null) {
                    methods = new AsmVisitorWrapper.ForDeclaredMethods();
                    advice = adviceFor(loader);
                }
                AsmVisitorWrapper.ForDeclaredMethods woven = guard.weave(methods, type, part.advice.get(i), advice);
                if (woven != methods && !wovenBy.contains(part)) {
                    wovenBy.add(part);
                }
                methods = woven;
            }
        }
        if (wovenBy.isEmpty()) {
            return null;
        }
        byte[] result = byteBuddy.decorate(type, classFiles).visit(methods).make(pool).getBytes();
        transformed.add(name);
        for (Part part : wovenBy) {
            part.guard.woven(name);
        }
        return result;
    }

    /** A type pool over {@code classFiles} that parses a class only as far as a question needs. */
    static TypePool pool(ClassFileLocator classFiles) {
        return new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(), classFiles,
                TypePool.Default.ReaderMode.FAST);
    }

    /** The advice source for classes of {@code loader}: one per loader, kept while the loader lives. */
    private AdviceSource adviceFor(ClassLoader loader) {
        if (loader == null) {
            return bootAdvice;
        }
        synchronized (loaderAdvice) {
            return loaderAdvice.computeIfAbsent(loader, l -> new AdviceSource(new ClassFileLocator.Compound(
                    agentClassFiles, ClassFileLocator.ForClassLoader.WeaklyReferenced.of(l))));
        }
    }

    /**
     * Describes and compiles advice classes once per class loader of the instrumented classes, not
     * once per class: an advice class's file comes from the agent's loader, and the types it names (a
     * library's request type, say) from the instrumented classes' loader, so an advice compiled for
     * one loader serves every class of it. A fifth of the weaving time was spent compiling the same
     * advice again for each class. The loader is referenced weakly: a web application's loader that
     * is dropped on redeploy is not kept alive by our cache.
     */
    static final class AdviceSource {
        private final ClassFileLocator classFiles;
        private final TypePool pool;
        private final ConcurrentHashMap<String, Advice> compiled = new ConcurrentHashMap<>();

        AdviceSource(ClassFileLocator classFiles) {
            this.classFiles = classFiles;
            this.pool = pool(classFiles);
        }

        Advice advice(String adviceClass) {
            Advice advice = compiled.get(adviceClass);
            if (advice == null) {
                // not computeIfAbsent: compiling may load classes, whose transformation may come back here
                advice = Advice.to(pool.describe(adviceClass).resolve(), classFiles);
                compiled.putIfAbsent(adviceClass, advice);
            }
            return advice;
        }
    }

    /**
     * Takes this transformer out and gives every class it changed its bytecode back (detach).
     * Classes retransformed in batches; one that fails is left as it is (its hooks do nothing
     * once the agent is gone).
     */
    void reset(Instrumentation inst) {
        inst.removeTransformer(this);
        Installer.retransformNamed(inst, transformed, (c, t) -> { });
        transformed.clear();
    }
}
