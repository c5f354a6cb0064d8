package io.jdiag.agent.core;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.NameMatcher;
import net.bytebuddy.matcher.StringMatcher;
import net.bytebuddy.matcher.StringSetMatcher;

/**
 * Answers, from a class's name alone, whether any running detector's type matcher may match it.
 * The matchers are indexed by the name condition each needs ({@link NameCondition}), so most classes
 * are answered by one lookup and a few string checks. A matcher whose condition holds is then asked
 * about a type that knows only its name: a matcher that decides by name
 * ({@code named}, {@code namedOneOf}, {@code nameStartsWith}, {@code nameContains}) answers; one that
 * needs anything else (modifiers, methods, super types) makes the type throw, and that means "may".
 * So a detector keeps its start-up cost low by putting a name check first in its type matcher, and a
 * matcher without one is simply asked by the weaver, with the class parsed, about every class.
 *
 * <p>Runs inside the class-file transformer, for every class the JVM loads: no locks, no logging; a
 * matcher that throws anything is a "may" (its detector's guard in the installer deals with it).
 */
final class NamePrefilter {
    /** Thrown by the name-only type for any question but its name. */
    private static final class NeedsMore extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedsMore() {
            super(null, null, false, false);
        }
    }

    private static final NeedsMore NEEDS_MORE = new NeedsMore();

    /**
     * The matchers indexed by a condition on the internal name that each needs to match: an exact
     * name (looked up), or a prefix, suffix or infix (checked). Only a matcher whose condition holds is
     * then asked, with the name-only type; one with no such condition ({@link NameCondition#ANY}) is
     * asked about every class.
     */
    private final Map<String, List<ElementMatcher<? super TypeDescription>>> byExactName = new HashMap<>();
    private final List<NameCondition> byPattern = new ArrayList<>();

    NamePrefilter(List<Detector> detectors) {
        this(detectors, java.util.Collections.emptyList());
    }

    /** @param core the core's own instrumentations, matched along with the detectors' */
    NamePrefilter(List<Detector> detectors, List<TypeInstrumentation> core) {
        List<ElementMatcher<? super TypeDescription>> matchers = new ArrayList<>();
        for (TypeInstrumentation ti : core) {
            matchers.add(ti.typeMatcher());
        }
        for (Detector d : detectors) {
            try {
                for (TypeInstrumentation ti : d.instrumentations()) {
                    matchers.add(ti.typeMatcher());
                }
            } catch (Throwable t) {
                // the installer reports this detector; its classes are then matched by nobody
            }
        }
        for (ElementMatcher<? super TypeDescription> m : matchers) {
            index(m);
        }
    }

    private void index(ElementMatcher<? super TypeDescription> m) {
        List<NameCondition> conditions = NameCondition.necessary(m, m);
        if (conditions == null) {
            conditions = List.of(new NameCondition(NameCondition.ANY, "", m));
        }
        for (NameCondition c : conditions) {
            if (c.kind == NameCondition.EXACT) {
                byExactName.computeIfAbsent(c.internal, k -> new ArrayList<>(1)).add(m);
            } else {
                byPattern.add(c);
            }
        }
    }

    /** How many matchers have no name condition and are asked about every class the JVM loads. */
    int unindexed() {
        int n = 0;
        for (NameCondition c : byPattern) {
            n += c.kind == NameCondition.ANY ? 1 : 0;
        }
        return n;
    }

    /** @param internalName {@code java/io/FileInputStream}, as a class-file transformer gets it; may be null */
    boolean mayMatch(String internalName) {
        if (internalName == null) {
            return true;
        }
        if (isReflectionMachinery(internalName)) {
            return false;
        }
        // Most classes are answered here, by one lookup and a few string checks, with nothing
        // allocated: asking every matcher about every class cost ~25 µs per class at a Spring Boot
        // start, where the JIT has not caught up yet (0.15 s over its 6,000 classes).
        TypeDescription type = null;
        List<ElementMatcher<? super TypeDescription>> exact = byExactName.get(internalName);
        if (exact != null) {
            type = nameOnly(internalName.replace('/', '.'));
            for (ElementMatcher<? super TypeDescription> m : exact) {
                if (may(m, type)) {
                    return true;
                }
            }
        }
        for (NameCondition c : byPattern) {
            if (c.holdsFor(internalName)) {
                if (type == null) {
                    type = nameOnly(internalName.replace('/', '.'));
                }
                if (may(c.matcher, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean may(ElementMatcher<? super TypeDescription> m, TypeDescription nameOnly) {
        try {
            return m.matches(nameOnly);
        } catch (Throwable needsMoreOrBroken) {
            return true;
        }
    }

    /**
     * A condition on a class's internal name that a matcher cannot match without: read from Byte
     * Buddy's name matchers ({@code named}, {@code namedOneOf}, {@code nameStartsWith},
     * {@code nameEndsWith}, {@code nameContains}), a disjunction of them, or the first such part of a
     * conjunction. Read by reflection from the matchers' fields (the Byte Buddy we ship, so a known
     * version); anything else, or any failure to read, means no condition: that matcher is asked
     * about every class, as it was before the index.
     */
    static final class NameCondition {
        static final int EXACT = 0;
        static final int PREFIX = 1;
        static final int SUFFIX = 2;
        static final int INFIX = 3;
        /** No condition could be read: the matcher is asked about every class. */
        static final int ANY = 4;

        final int kind;
        /** The value with {@code /} for {@code .}: classes arrive by internal name. */
        final String internal;
        final ElementMatcher<? super TypeDescription> matcher;

        private NameCondition(int kind, String value, ElementMatcher<? super TypeDescription> matcher) {
            this.kind = kind;
            this.internal = value.replace('.', '/');
            this.matcher = matcher;
        }

        boolean holdsFor(String internalName) {
            switch (kind) {
                case EXACT:
                    return internalName.equals(internal);
                case PREFIX:
                    return internalName.startsWith(internal);
                case SUFFIX:
                    return internalName.endsWith(internal);
                case INFIX:
                    return internalName.contains(internal);
                default:
                    return true;
            }
        }

        /**
         * Conditions of which one holds for every name {@code part} matches (for the matcher
         * {@code whole} it belongs to); null when there are none that can be read.
         */
        static List<NameCondition> necessary(Object part, ElementMatcher<? super TypeDescription> whole) {
            try {
                if (part instanceof NameMatcher) {
                    return ofString(field(NameMatcher.class, "matcher", part), whole);
                }
                if (part instanceof ElementMatcher.Junction.Disjunction) {
                    List<NameCondition> any = new ArrayList<>();
                    for (Object alternative : (List<?>) field(ElementMatcher.Junction.Disjunction.class, "matchers", part)) {
                        List<NameCondition> c = necessary(alternative, whole);
                        if (c == null) {
                            return null;
                        }
                        any.addAll(c);
                    }
                    return any.isEmpty() ? null : any;
                }
                if (part instanceof ElementMatcher.Junction.Conjunction) {
                    for (Object required : (List<?>) field(ElementMatcher.Junction.Conjunction.class, "matchers", part)) {
                        List<NameCondition> c = necessary(required, whole);
                        if (c != null) {
                            return c;
                        }
                    }
                }
                return null;
            } catch (ReflectiveOperationException | RuntimeException unreadable) {
                return null;
            }
        }

        private static List<NameCondition> ofString(Object stringMatcher, ElementMatcher<? super TypeDescription> whole)
                throws ReflectiveOperationException {
            List<NameCondition> out = new ArrayList<>();
            if (stringMatcher instanceof StringSetMatcher) {
                for (Object value : (Set<?>) field(StringSetMatcher.class, "values", stringMatcher)) {
                    out.add(new NameCondition(EXACT, (String) value, whole));
                }
                return out.isEmpty() ? null : out;
            }
            if (!(stringMatcher instanceof StringMatcher)) {
                return null;
            }
            String value = (String) field(StringMatcher.class, "value", stringMatcher);
            Object mode = field(StringMatcher.class, "mode", stringMatcher);
            if (mode == StringMatcher.Mode.EQUALS_FULLY) {
                out.add(new NameCondition(EXACT, value, whole));
            } else if (mode == StringMatcher.Mode.STARTS_WITH) {
                out.add(new NameCondition(PREFIX, value, whole));
            } else if (mode == StringMatcher.Mode.ENDS_WITH) {
                out.add(new NameCondition(SUFFIX, value, whole));
            } else if (mode == StringMatcher.Mode.CONTAINS) {
                out.add(new NameCondition(INFIX, value, whole));
            } else {
                return null; // ignoring case, or a regular expression
            }
            return out;
        }

        private static Object field(Class<?> owner, String name, Object instance) throws ReflectiveOperationException {
            Field f = owner.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(instance);
        }
    }

    /**
     * The JDK's method-handle and reflection classes, which no detector instruments, are answered
     * at once: they are loaded while the first matchers run (lambdas, reflection), and the JVM hands
     * such a class to this very filter while it is still being loaded (a
     * {@code ClassCircularityError} on JDK 25 when the filter needed it).
     */
    static boolean isReflectionMachinery(String internalName) {
        return internalName.startsWith("java/lang/invoke/") || internalName.startsWith("java/lang/reflect/")
                || internalName.startsWith("jdk/internal/reflect/") || internalName.startsWith("jdk/internal/misc/")
                || internalName.startsWith("jdk/internal/vm/") || internalName.startsWith("sun/invoke/")
                || internalName.startsWith("sun/reflect/") || internalName.startsWith("jdk/proxy")
                || internalName.contains("$$Lambda");
    }

    static TypeDescription nameOnly(String name) {
        return new NameOnly(name);
    }

    /**
     * A type that knows its name and nothing else: any other question ({@code NEEDS_MORE}) means
     * the matcher needs more than the name. A plain class, not a JDK proxy: it is made once for
     * every class the JVM loads, and answers without a proxy's reflective dispatch per question
     * (the first pass over the 7,700 classes loaded before a hot attach: 49–101 ms, against
     * 86–149 ms with a proxy).
     */
    private static final class NameOnly extends TypeDescription.AbstractBase {
        private final String name;

        NameOnly(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getActualName() {
            return name;
        }

        @Override
        public String getTypeName() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }

        // A class the JVM loads by name is neither an array nor a primitive.
        @Override
        public boolean isArray() {
            return false;
        }

        @Override
        public boolean isPrimitive() {
            return false;
        }

        @Override
        public String getDescriptor() {
            throw NEEDS_MORE;
        }

        @Override
        public String getCanonicalName() {
            throw NEEDS_MORE;
        }

        @Override
        public String getSimpleName() {
            throw NEEDS_MORE;
        }

        @Override
        public int getModifiers() {
            throw NEEDS_MORE;
        }

        @Override
        public boolean isAnonymousType() {
            throw NEEDS_MORE;
        }

        @Override
        public boolean isLocalType() {
            throw NEEDS_MORE;
        }

        @Override
        public boolean isRecord() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.annotation.AnnotationList getDeclaredAnnotations() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.field.FieldList<net.bytebuddy.description.field.FieldDescription.InDefinedShape> getDeclaredFields() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.method.MethodList<net.bytebuddy.description.method.MethodDescription.InDefinedShape> getDeclaredMethods() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.method.MethodDescription.InDefinedShape getEnclosingMethod() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.module.ModuleDescription toModuleDescription() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.type.PackageDescription getPackage() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.type.RecordComponentList<net.bytebuddy.description.type.RecordComponentDescription.InDefinedShape> getRecordComponents() {
            throw NEEDS_MORE;
        }

        @Override
        public TypeDescription getComponentType() {
            throw NEEDS_MORE;
        }

        @Override
        public TypeDescription getDeclaringType() {
            throw NEEDS_MORE;
        }

        @Override
        public TypeDescription getEnclosingType() {
            throw NEEDS_MORE;
        }

        @Override
        public TypeDescription getNestHost() {
            throw NEEDS_MORE;
        }

        @Override
        public TypeDescription.Generic getSuperClass() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.type.TypeList getDeclaredTypes() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.type.TypeList getNestMembers() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.type.TypeList getPermittedSubtypes() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.type.TypeList.Generic getInterfaces() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.description.type.TypeList.Generic getTypeVariables() {
            throw NEEDS_MORE;
        }

        @Override
        public net.bytebuddy.implementation.bytecode.StackSize getStackSize() {
            throw NEEDS_MORE;
        }
    }
}
