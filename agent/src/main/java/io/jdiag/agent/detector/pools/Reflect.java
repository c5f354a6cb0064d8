package io.jdiag.agent.detector.pools;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Reads pool libraries' objects without compiling against them: a field or a public no-argument
 * method, looked up once per class ({@link ClassValue}) and made accessible. A lookup that fails
 * (another version of the library, a security manager) yields null, and the caller reads less.
 */
final class Reflect {
    private Reflect() {}

    /** A field named {@code name}, declared by a class or any of its superclasses. */
    static final class FieldOf extends ClassValue<Field> {
        private final String name;

        FieldOf(String name) {
            this.name = name;
        }

        @Override
        protected Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                try {
                    Field f = c.getDeclaredField(name);
                    f.setAccessible(true);
                    return f;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not declared here, or not accessible: look further up
                }
            }
            return null;
        }

        /** A {@code long} field's value in {@code target}, or 0 when it cannot be read. */
        long getLong(Object target) {
            Field f = target == null ? null : get(target.getClass());
            if (f == null || f.getType() != long.class) {
                return 0;
            }
            try {
                return f.getLong(target);
            } catch (IllegalAccessException | RuntimeException e) {
                return 0;
            }
        }

        /** The field's value in {@code target}, or null when it cannot be read. */
        Object get(Object target) {
            if (target == null) {
                return null;
            }
            Field f = get(target.getClass());
            if (f == null) {
                return null;
            }
            try {
                return f.get(target);
            } catch (IllegalAccessException | RuntimeException e) {
                return null;
            }
        }
    }

    /** A public method without arguments, found through the public API of a class. */
    static final class MethodOf extends ClassValue<Method> {
        private final String name;

        MethodOf(String name) {
            this.name = name;
        }

        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getMethod(name);
                m.setAccessible(true); // public method of a non-public class (an anonymous or package-private one)
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        /** The result of calling the method on {@code target}, or null when it cannot be called or threw. */
        Object call(Object target) {
            if (target == null) {
                return null;
            }
            Method m = get(target.getClass());
            if (m == null) {
                return null;
            }
            try {
                return m.invoke(target);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        /** {@link #call} as an int; -1 when unknown. */
        int callInt(Object target) {
            Object v = call(target);
            return v instanceof Number ? ((Number) v).intValue() : -1;
        }
    }

    /** A field whose type's name ends with {@code typeSuffix}: an anonymous class's reference to its outer instance. */
    static final class OuterOf extends ClassValue<Field> {
        private final String typeSuffix;

        OuterOf(String typeSuffix) {
            this.typeSuffix = typeSuffix;
        }

        @Override
        protected Field computeValue(Class<?> type) {
            for (Field f : type.getDeclaredFields()) {
                if (f.getType().getName().endsWith(typeSuffix)) {
                    try {
                        f.setAccessible(true);
                        return f;
                    } catch (RuntimeException e) {
                        return null;
                    }
                }
            }
            return null;
        }

        Object get(Object target) {
            Field f = target == null ? null : get(target.getClass());
            try {
                return f == null ? null : f.get(target);
            } catch (IllegalAccessException | RuntimeException e) {
                return null;
            }
        }
    }

    /** Whether {@code t} or one of its causes is of a class named {@code className} or a subclass of it. */
    static boolean causedBy(Throwable t, String className) {
        for (int depth = 0; t != null && depth < 5; t = t.getCause(), depth++) {
            for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals(className)) {
                    return true;
                }
            }
        }
        return false;
    }
}
