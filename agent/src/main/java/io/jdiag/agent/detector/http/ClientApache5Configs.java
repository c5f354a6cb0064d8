package io.jdiag.agent.detector.http;

import io.jdiag.bootstrap.HttpClientHooks;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Reads the {@code ConnectionConfig} and {@code SocketConfig} of an Apache HttpClient 5
 * {@code PoolingHttpClientConnectionManager}, which its public API does not expose (they sit in private
 * resolver fields, set by {@code PoolingHttpClientConnectionManagerBuilder}). The agent cannot link
 * against the application's copy of the library, so this is reflection, done once per new pair of
 * resolvers and cached (weakly: the application's objects are never kept alive by the agent).
 *
 * <p>The resolvers are asked with a null route: the builder's resolvers ({@code route -> config}) ignore
 * it. A resolver that needs the route throws, and the library defaults are assumed. Any failure
 * (another version, a module that is not open) makes this answer "unknown", never throw.
 */
final class ClientApache5Configs {
    static final String POOLING_MANAGER = "org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager";
    static final Resolved UNKNOWN = new Resolved(null, null, HttpClientHooks.UNSET, HttpClientHooks.UNSET, HttpClientHooks.UNSET);

    /** Connection config timeouts and socket timeout in ms ({@link HttpClientHooks#UNSET} = unknown/null), for one pair of resolvers. */
    static final class Resolved {
        final WeakReference<Object> connectionResolver;
        final WeakReference<Object> socketResolver;
        /** A cleared reference must not match a null resolver: remember which ones were null. */
        final boolean connectionNull;
        final boolean socketNull;
        final long connectTimeout;
        final long socketTimeout;
        final long soTimeout;

        Resolved(Object connectionResolver, Object socketResolver, long connectTimeout, long socketTimeout, long soTimeout) {
            this.connectionResolver = new WeakReference<>(connectionResolver);
            this.socketResolver = new WeakReference<>(socketResolver);
            this.connectionNull = connectionResolver == null;
            this.socketNull = socketResolver == null;
            this.connectTimeout = connectTimeout;
            this.socketTimeout = socketTimeout;
            this.soTimeout = soTimeout;
        }

        boolean isFor(Object connection, Object socket) {
            return (connection == null ? connectionNull : connectionResolver.get() == connection)
                    && (socket == null ? socketNull : socketResolver.get() == socket);
        }
    }

    /** Reflective access to one manager class; null fields when the class does not have them. */
    private static final class Access {
        final Class<?> managerClass;
        final Field connectionResolver;
        final Field socketResolver;
        final Method resolveConnection;
        final Method resolveSocket;

        Access(Class<?> managerClass) throws ReflectiveOperationException {
            this.managerClass = managerClass;
            this.connectionResolver = managerClass.getDeclaredField("connectionConfigResolver");
            this.socketResolver = managerClass.getDeclaredField("socketConfigResolver");
            connectionResolver.setAccessible(true);
            socketResolver.setAccessible(true);
            this.resolveConnection = connectionResolver.getType().getMethod("resolve", Object.class);
            this.resolveSocket = socketResolver.getType().getMethod("resolve", Object.class);
        }
    }

    private volatile Access access;
    private volatile Class<?> unsupported;
    private volatile Resolved last = UNKNOWN;

    /** The configs of {@code manager} if it is a pooling manager; {@link #UNKNOWN} otherwise or on any failure. */
    Resolved read(Object manager) {
        if (manager == null) {
            return UNKNOWN;
        }
        Class<?> type = manager.getClass();
        if (type == unsupported || !POOLING_MANAGER.equals(type.getName())) {
            return UNKNOWN;
        }
        try {
            Access a = access;
            if (a == null || a.managerClass != type) {
                a = new Access(type);
                access = a;
            }
            Object connectionResolver = a.connectionResolver.get(manager);
            Object socketResolver = a.socketResolver.get(manager);
            Resolved cached = last;
            if (cached.isFor(connectionResolver, socketResolver)) {
                return cached;
            }
            Object connectionConfig = resolve(a.resolveConnection, connectionResolver);
            Object socketConfig = resolve(a.resolveSocket, socketResolver);
            Resolved r = new Resolved(connectionResolver, socketResolver,
                    millis(connectionConfig, "getConnectTimeout"), millis(connectionConfig, "getSocketTimeout"),
                    millis(socketConfig, "getSoTimeout"));
            last = r;
            return r;
        } catch (Throwable t) {
            // Another layout of the class, or a module that does not open it: stay with the defaults.
            unsupported = type;
            return UNKNOWN;
        }
    }

    private static Object resolve(Method resolve, Object resolver) {
        if (resolver == null) {
            return null;
        }
        try {
            return resolve.invoke(resolver, (Object) null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a resolver that needs the route: the defaults are assumed
        }
    }

    /** {@code config.<getter>().toMilliseconds()}, or UNSET for a null config or timeout. */
    private static long millis(Object config, String getter) throws ReflectiveOperationException {
        if (config == null) {
            return HttpClientHooks.UNSET;
        }
        Object timeout = config.getClass().getMethod(getter).invoke(config);
        if (timeout == null) {
            return HttpClientHooks.UNSET;
        }
        return ((Number) timeout.getClass().getMethod("toMilliseconds").invoke(timeout)).longValue();
    }
}
