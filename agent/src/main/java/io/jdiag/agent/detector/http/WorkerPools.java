package io.jdiag.agent.detector.http;

import java.lang.reflect.Method;

/**
 * Reads a container's worker pool through its public getters, by reflection, since the agent
 * cannot see container classes. Method lookups are cached per class.
 */
final class WorkerPools {
    /** One reading of a pool. */
    static final class State {
        final String server;
        final String name;
        final String threadPrefix;
        final int busy;
        final int max;
        final int idle;
        final int queued;

        State(String server, String name, String threadPrefix, int busy, int max, int idle, int queued) {
            this.server = server;
            this.name = name;
            this.threadPrefix = threadPrefix;
            this.busy = busy;
            this.max = max;
            this.idle = idle;
            this.queued = queued;
        }

        /** Every worker busy and requests waiting for one. */
        boolean saturated() {
            return queued > 0 && idle == 0 && busy >= max - 2;
        }
    }

    /**
     * The getters of one pool class. A {@link ClassValue} entry lives as long as the class it is
     * attached to (the container's pool class), so its value must hold JDK types only: an agent
     * object there would pin the agent class loader after a detach. Hence an array of
     * {@link Method}s, read through the indexes below, instead of an object of ours.
     */
    private static final int NAME = 0;
    private static final int BUSY = 1;
    private static final int MAX = 2;
    private static final int IDLE = 3;
    private static final int QUEUED = 4;
    private static final int QUEUE = 5;
    private static final int THREAD_FACTORY = 6;

    private static Method[] getters(Class<?> type) {
        Method[] g = new Method[7];
        g[NAME] = find(type, "getName");
        g[BUSY] = find(type, "getBusyThreads") != null ? find(type, "getBusyThreads") : find(type, "getActiveCount");
        g[MAX] = find(type, "getMaxThreads") != null ? find(type, "getMaxThreads") : find(type, "getMaximumPoolSize");
        g[IDLE] = find(type, "getIdleThreads");
        g[QUEUED] = find(type, "getQueueSize");
        g[QUEUE] = find(type, "getQueue");
        g[THREAD_FACTORY] = find(type, "getThreadFactory");
        return g;
    }

    private static Method find(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private final ClassValue<Method[]> getters = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            return getters(type);
        }
    };

    private final ClassValue<java.lang.reflect.Field> namePrefixFields = new ClassValue<java.lang.reflect.Field>() {
        @Override
        protected java.lang.reflect.Field computeValue(Class<?> type) {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                try {
                    java.lang.reflect.Field f = c.getDeclaredField("namePrefix");
                    if (f.getType() == String.class) {
                        f.setAccessible(true);
                        return f;
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not here
                }
            }
            return null;
        }
    };

    private String namePrefix(Object threadFactory) throws IllegalAccessException {
        java.lang.reflect.Field f = threadFactory == null ? null : namePrefixFields.get(threadFactory.getClass());
        return f == null ? null : (String) f.get(threadFactory);
    }

    /** @return null when the pool cannot be read (stopped, or an unknown shape) */
    State read(Object pool, String server) {
        try {
            Method[] g = getters.get(pool.getClass());
            if (g[BUSY] == null || g[MAX] == null) {
                return null;
            }
            int busy = ((Number) g[BUSY].invoke(pool)).intValue();
            int max = ((Number) g[MAX].invoke(pool)).intValue();
            int queued;
            if (g[QUEUED] != null) {
                queued = ((Number) g[QUEUED].invoke(pool)).intValue();
            } else if (g[QUEUE] != null) {
                queued = ((java.util.Collection<?>) g[QUEUE].invoke(pool)).size();
            } else {
                queued = 0;
            }
            int idle = g[IDLE] != null ? ((Number) g[IDLE].invoke(pool)).intValue() : Math.max(0, max - busy);
            if (g[NAME] != null) {
                String name = String.valueOf(g[NAME].invoke(pool));
                return new State(server, name, name + "-", busy, max, idle, queued);
            }
            // Tomcat's ThreadPoolExecutor has no name; its TaskThreadFactory holds the threads' prefix
            String prefix = g[THREAD_FACTORY] == null ? null : namePrefix(g[THREAD_FACTORY].invoke(pool));
            if (prefix != null && !prefix.isEmpty()) {
                String name = prefix.endsWith("-") ? prefix.substring(0, prefix.length() - 1) : prefix;
                return new State(server, name, prefix, busy, max, idle, queued);
            }
            String name = server + "-" + Integer.toHexString(System.identityHashCode(pool));
            return new State(server, name, name + "-", busy, max, idle, queued);
        } catch (Throwable t) {
            return null;
        }
    }
}
