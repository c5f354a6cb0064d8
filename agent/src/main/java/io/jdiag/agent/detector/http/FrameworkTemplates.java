package io.jdiag.agent.detector.http;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Templates read from a framework's model object of a matched resource, by reflection: the advice
 * cannot call the method itself where its owner changed kind between versions (RESTEasy's
 * {@code ResourceMethod} was a class up to 3.x and is an interface since 4.0, so one compiled call
 * would fail on the other). The method is looked up once per class.
 */
final class FrameworkTemplates {
    private static final ClassValue<Method> FULLPATH = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getMethod("getFullpath");
                if (m.getReturnType() != String.class) {
                    return null;
                }
                // a public method of a non-public implementation class is called through its public declaration
                if (!Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                    m = publicDeclaration(type, "getFullpath");
                }
                return m;
            } catch (Throwable t) {
                return null;
            }
        }
    };

    private FrameworkTemplates() {}

    /** RESTEasy's {@code ResourceMethod.getFullpath()} (class {@code @Path} + method {@code @Path}); null when unknown. */
    static String of(Object model) {
        try {
            Method m = FULLPATH.get(model.getClass());
            return m == null ? null : (String) m.invoke(model);
        } catch (Throwable t) {
            return null;
        }
    }

    private static Method publicDeclaration(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (Modifier.isPublic(i.getModifiers())) {
                    try {
                        return i.getMethod(name);
                    } catch (NoSuchMethodException ignored) {
                        // next
                    }
                }
            }
            if (c != type && Modifier.isPublic(c.getModifiers())) {
                try {
                    return c.getMethod(name);
                } catch (NoSuchMethodException ignored) {
                    // next
                }
            }
        }
        return null;
    }
}
