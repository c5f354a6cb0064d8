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

    private static final class Getters {
        final Method name;
        final Method busy;
        final Method max;
        final Method idle;
        final Method queued;
        final Method queue;
        final Method threadFactory;

        Getters(Class<?> type) {
            name = find(type, "getName");
            busy = find(type, "getBusyThreads") != null ? find(type, "getBusyThreads") : find(type, "getActiveCount");
            max = find(type, "getMaxThreads") != null ? find(type, "getMaxThreads") : find(type, "getMaximumPoolSize");
            idle = find(type, "getIdleThreads");
            queued = find(type, "getQueueSize");
            queue = find(type, "getQueue");
            threadFactory = find(type, "getThreadFactory");
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
    }

    private final ClassValue<Getters> getters = new ClassValue<Getters>() {
        @Override
        protected Getters computeValue(Class<?> type) {
            return new Getters(type);
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
            Getters g = getters.get(pool.getClass());
            if (g.busy == null || g.max == null) {
                return null;
            }
            int busy = ((Number) g.busy.invoke(pool)).intValue();
            int max = ((Number) g.max.invoke(pool)).intValue();
            int queued;
            if (g.queued != null) {
                queued = ((Number) g.queued.invoke(pool)).intValue();
            } else if (g.queue != null) {
                queued = ((java.util.Collection<?>) g.queue.invoke(pool)).size();
            } else {
                queued = 0;
            }
            int idle = g.idle != null ? ((Number) g.idle.invoke(pool)).intValue() : Math.max(0, max - busy);
            if (g.name != null) {
                String name = String.valueOf(g.name.invoke(pool));
                return new State(server, name, name + "-", busy, max, idle, queued);
            }
            // Tomcat's ThreadPoolExecutor has no name; its TaskThreadFactory holds the threads' prefix
            String prefix = g.threadFactory == null ? null : namePrefix(g.threadFactory.invoke(pool));
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
