package io.jdiag.bootstrap;

/**
 * Entry points for the outbound half of the {@code http} detector, woven into HTTP client libraries:
 * the JDK's {@code HttpClient} and {@code HttpURLConnection}, Apache HttpClient 4 and 5, OkHttp.
 *
 * <p>Advice reads each library's effective timeout settings through the library's own API and passes
 * them here as plain numbers in the library's own units and conventions; the agent's
 * {@code ClientTimeoutPolicy} applies the library's defaults and decides which timeouts are missing.
 * The {@code *Call} methods decide and return the start time of the call ({@link System#nanoTime()}),
 * to be handed back to {@link #completed}; they return 0 when no sink is installed, or inside the agent
 * ({@link HookGuard}), and {@link #completed} ignores a start of 0.
 *
 * <p>JDK types only ({@code java.base}: this class lives on the bootstrap class path, where even
 * {@code java.net.http} is out of sight). Callers are application threads on hot paths: no locks, no
 * logging, no allocation here.
 */
public final class HttpClientHooks {
    /** {@code client} label {@code jdk}: {@code java.net.http.HttpClient}. */
    public static final int JDK = 0;
    /** {@code client} label {@code urlconnection}: {@code java.net.HttpURLConnection}. */
    public static final int URLCONNECTION = 1;
    /** {@code client} label {@code apache4}: Apache HttpClient 4.x. */
    public static final int APACHE4 = 2;
    /** {@code client} label {@code apache5}: Apache HttpClient 5.x (classic). */
    public static final int APACHE5 = 3;
    /** {@code client} label {@code okhttp}: OkHttp 3.x/4.x. */
    public static final int OKHTTP = 4;

    /** A timeout the advice could not read (or that is not set): the library's default applies. */
    public static final long UNSET = -1;

    /** Set by the agent on start, cleared on detach. Volatile: read on every call by any thread. */
    private static volatile ClientSink sink;

    private HttpClientHooks() {}

    public static void install(ClientSink newSink) {
        sink = newSink;
    }

    /**
     * Set while a wrapper around the JDK {@code HttpClient} bounds the exchange itself (Spring's
     * {@code JdkClientHttpRequest} with a read timeout cancels the response future when it fires,
     * instead of giving the request a timeout). Per thread: the wrapper calls the client on its own
     * thread. A {@link Boolean}, a JDK type: it pins no agent class loader.
     */
    private static final ThreadLocal<Boolean> BOUNDED_BY_CALLER = new ThreadLocal<>();

    /** A wrapper that bounds the JDK client's exchange starts ({@code true}) or ends ({@code false}) a call on this thread. */
    public static void boundedByCaller(boolean bounded) {
        if (bounded) {
            BOUNDED_BY_CALLER.set(Boolean.TRUE);
        } else {
            BOUNDED_BY_CALLER.remove();
        }
    }

    /**
     * {@code HttpClient.send/sendAsync}.
     *
     * @param connectTimeout whether the client has a connect timeout ({@code HttpClient.connectTimeout()})
     * @param requestTimeout whether the request has a timeout ({@code HttpRequest.timeout()}); also true
     *                       when a wrapper bounds the exchange ({@link #boundedByCaller})
     */
    public static long jdkCall(String scheme, String host, int port, boolean connectTimeout, boolean requestTimeout) {
        ClientSink s = sink;
        HookGuard.Depth d;
        if (s == null || (d = HookGuard.enter()) == null) {
            return 0;
        }
        try {
            s.jdkCall(scheme, host, port, connectTimeout, requestTimeout || BOUNDED_BY_CALLER.get() != null);
        } finally {
            d.exit();
        }
        return System.nanoTime();
    }

    /**
     * The first {@code getInputStream()} of an {@code HttpURLConnection}, which sends the request.
     *
     * @param connectTimeout the connection's own field: -1 not set (the {@code sun.net.client.default*}
     *                       properties apply), 0 infinite, else milliseconds
     * @param readTimeout    likewise
     */
    public static long urlConnectionCall(String scheme, String host, int port, int connectTimeout, int readTimeout) {
        ClientSink s = sink;
        HookGuard.Depth d;
        if (s == null || (d = HookGuard.enter()) == null) {
            return 0;
        }
        try {
            s.urlConnectionCall(scheme, host, port, connectTimeout, readTimeout);
        } finally {
            d.exit();
        }
        return System.nanoTime();
    }

    /**
     * Apache HttpClient 4 {@code InternalHttpClient.doExecute}.
     *
     * @param connectTimeout the effective {@code RequestConfig.getConnectTimeout()} (-1 undefined, 0 infinite)
     * @param socketTimeout  the effective {@code RequestConfig.getSocketTimeout()} (-1: the socket keeps
     *                       the connection manager's {@code SocketConfig} timeout; 0 infinite)
     * @param soTimeout      {@code SocketConfig.getSoTimeout()} of the connection manager, or -1 when the
     *                       manager is not one whose socket config is readable
     */
    public static long apache4Call(String scheme, String host, int port, int connectTimeout, int socketTimeout,
                                   int soTimeout) {
        ClientSink s = sink;
        HookGuard.Depth d;
        if (s == null || (d = HookGuard.enter()) == null) {
            return 0;
        }
        try {
            s.apache4Call(scheme, host, port, connectTimeout, socketTimeout, soTimeout);
        } finally {
            d.exit();
        }
        return System.nanoTime();
    }

    /**
     * Apache HttpClient 5 classic {@code InternalHttpClient.doExecute}. All in milliseconds, {@link #UNSET}
     * for null or unreadable, 0 for disabled (infinite).
     *
     * @param connectTimeout        {@code RequestConfig.getConnectTimeout()} of the effective request config
     * @param responseTimeout       {@code RequestConfig.getResponseTimeout()}
     * @param connectionConnect     {@code ConnectionConfig.getConnectTimeout()} of the connection manager
     * @param connectionSocket      {@code ConnectionConfig.getSocketTimeout()}
     * @param socketConfigSoTimeout {@code SocketConfig.getSoTimeout()}
     * @param connectionManager     the connection manager, so the agent can read what its public API
     *                              hides; never retained
     */
    public static long apache5Call(String scheme, String host, int port, long connectTimeout, long responseTimeout,
                                   long connectionConnect, long connectionSocket, long socketConfigSoTimeout,
                                   Object connectionManager) {
        ClientSink s = sink;
        HookGuard.Depth d;
        if (s == null || (d = HookGuard.enter()) == null) {
            return 0;
        }
        try {
            s.apache5Call(scheme, host, port, connectTimeout, responseTimeout, connectionConnect, connectionSocket,
                    socketConfigSoTimeout, connectionManager);
        } finally {
            d.exit();
        }
        return System.nanoTime();
    }

    /**
     * OkHttp {@code RealCall.execute/enqueue}: the decision only; timing is {@link #start}/{@link #completed}
     * around the exchange, which for {@code enqueue} runs later on a dispatcher thread.
     *
     * @param connectTimeout   {@code OkHttpClient.connectTimeoutMillis()} (0 = none)
     * @param readTimeout      {@code OkHttpClient.readTimeoutMillis()} (0 = none)
     * @param callTimeoutNanos the call's own {@code timeout().timeoutNanos()} (0 = none)
     * @param callDeadline     whether the call's timeout has a deadline
     */
    public static void okhttpCall(String scheme, String host, int port, int connectTimeout, int readTimeout,
                                  long callTimeoutNanos, boolean callDeadline) {
        ClientSink s = sink;
        HookGuard.Depth d;
        if (s != null && (d = HookGuard.enter()) != null) {
            try {
                s.okhttpCall(scheme, host, port, connectTimeout, readTimeout, callTimeoutNanos, callDeadline);
            } finally {
                d.exit();
            }
        }
    }

    /** The start of a call timed without a decision (see {@link #okhttpCall}); 0 without a sink. */
    public static long start() {
        return sink == null || HookGuard.inside() ? 0 : System.nanoTime();
    }

    /**
     * A call returned (or threw).
     *
     * @param client     one of {@link #JDK} ... {@link #OKHTTP}
     * @param startNanos what the {@code *Call} method or {@link #start} returned; 0 = not timed
     * @param status     the HTTP status, or a value below 100 when no response arrived (an error)
     */
    public static void completed(int client, String scheme, String host, int port, long startNanos, int status) {
        ClientSink s = sink;
        HookGuard.Depth d;
        if (s != null && startNanos != 0 && (d = HookGuard.enter()) != null) {
            try {
                s.completed(client, scheme, host, port, System.nanoTime() - startNanos, status);
            } finally {
                d.exit();
            }
        }
    }

    /**
     * {@code HttpClient.sendAsync} returned its future: the call completes when the future does.
     *
     * @param future a {@code CompletableFuture<HttpResponse<?>>}
     */
    public static void jdkAsync(Object future, String scheme, String host, int port, long startNanos) {
        HookGuard.Depth d;
        if (sink != null && startNanos != 0 && future instanceof java.util.concurrent.CompletableFuture
                && (d = HookGuard.enter()) != null) {
            try {
                ((java.util.concurrent.CompletableFuture<?>) future).whenComplete(
                        new JdkCompletion(scheme, host, port, startNanos));
            } finally {
                d.exit();
            }
        }
    }

    /**
     * The end of a {@code sendAsync} call. A bootstrap type holding strings and numbers only: a call
     * still pending at a detach (one without timeouts may never end) keeps this in its future, and
     * an agent object there would pin the agent class loader. It reports to the sink installed when
     * the call ends, if any.
     */
    static final class JdkCompletion implements java.util.function.BiConsumer<Object, Throwable> {
        private final String scheme;
        private final String host;
        private final int port;
        private final long startNanos;

        JdkCompletion(String scheme, String host, int port, long startNanos) {
            this.scheme = scheme;
            this.host = host;
            this.port = port;
            this.startNanos = startNanos;
        }

        @Override
        public void accept(Object response, Throwable thrown) {
            ClientSink s = sink;
            HookGuard.Depth d;
            if (s != null && (d = HookGuard.enter()) != null) {
                try {
                    s.jdkAsyncCompleted(response, thrown, scheme, host, port, System.nanoTime() - startNanos);
                } finally {
                    d.exit();
                }
            }
        }
    }

    /**
     * The {@code host:port} label of a downstream, as the agent exports it (bounded: {@code other} beyond
     * the cap), for the description of a tracked HTTP response; null without a sink. Allocation-free
     * once the host is known.
     */
    public static String hostLabel(String scheme, String host, int port) {
        ClientSink s = sink;
        HookGuard.Depth d;
        if (s == null || (d = HookGuard.enter()) == null) {
            return null;
        }
        try {
            return s.hostLabel(scheme, host, port);
        } finally {
            d.exit();
        }
    }

    /** Implemented by the agent; must never throw and never block. */
    public interface ClientSink {
        void jdkCall(String scheme, String host, int port, boolean connectTimeout, boolean requestTimeout);

        void urlConnectionCall(String scheme, String host, int port, int connectTimeout, int readTimeout);

        void apache4Call(String scheme, String host, int port, int connectTimeout, int socketTimeout, int soTimeout);

        void apache5Call(String scheme, String host, int port, long connectTimeout, long responseTimeout,
                         long connectionConnect, long connectionSocket, long socketConfigSoTimeout,
                         Object connectionManager);

        void okhttpCall(String scheme, String host, int port, int connectTimeout, int readTimeout,
                        long callTimeoutNanos, boolean callDeadline);

        void completed(int client, String scheme, String host, int port, long elapsedNanos, int status);

        /** A {@code sendAsync} call ended: {@code response} is an {@code HttpResponse}, or {@code thrown} is set. */
        void jdkAsyncCompleted(Object response, Throwable thrown, String scheme, String host, int port, long elapsedNanos);

        String hostLabel(String scheme, String host, int port);
    }
}
