package io.jdiag.bootstrap;

/**
 * Entry points for the {@code buffering} detector's advice, woven into {@code InputStream},
 * {@code ByteArrayOutputStream} and the HTTP libraries' "give me the whole body" methods. Each
 * method forwards to the sink the agent installed, or does nothing without one.
 *
 * <p>These run on some of the hottest paths of any JVM ({@code ByteArrayOutputStream.write},
 * {@code readAllBytes} inside the JDK's own class loading): the growth check is one comparison
 * against {@link #threshold}, and a whole read costs one thread-local depth counter, so that a
 * whole read that delegates to another ({@code readAllBytes} → {@code readNBytes} →
 * {@code super.readNBytes}, {@code EntityUtils.toString} → ...) is counted once, at the outermost
 * call. The sink is called inside {@link HookGuard}: whatever the agent reads whole itself (its class
 * loader reads class files with {@code readAllBytes}) is never reported, and never recurses.
 */
public final class BufferingHooks {
    /** {@code source} label {@code servlet_request}: a servlet container's request body stream. */
    public static final int SERVLET_REQUEST = 0;
    /** {@code source} label {@code input_stream}: any other {@code InputStream} (files, sockets, ...). */
    public static final int INPUT_STREAM = 1;
    /** {@code source} label {@code byte_array_output_stream}. */
    public static final int BYTE_ARRAY_OUTPUT_STREAM = 2;
    /** {@code source} label {@code http_client_response}: an HTTP client's response body. */
    public static final int HTTP_CLIENT_RESPONSE = 3;
    /** {@code source} label {@code netty_aggregator}: Netty's {@code HttpObjectAggregator}. */
    public static final int NETTY_AGGREGATOR = 4;

    /** Set by the agent on start, cleared on detach. Volatile: read on every call by any thread. */
    private static volatile BufferingSink sink;
    /**
     * {@code buffering.threshold} in bytes; {@link Long#MAX_VALUE} without a sink, so that the growth
     * check of a {@code ByteArrayOutputStream} never calls further.
     */
    private static volatile long threshold = Long.MAX_VALUE;

    /** The whole reads in progress on one thread (nested ones count once). Touched only by that thread. */
    static final class Frame {
        int depth;
    }

    // An explicit subclass, not withInitial(lambda): a lambda would bootstrap invokedynamic machinery
    // the first time a hook runs, possibly inside a class initializer of the JDK.
    private static final ThreadLocal<Frame> FRAME = new ThreadLocal<Frame>() {
        @Override
        protected Frame initialValue() {
            return new Frame();
        }
    };

    private BufferingHooks() {}

    /** Installs the sink (null: none) and the threshold it reports above. */
    public static void install(BufferingSink newSink, long thresholdBytes) {
        // threshold first on install, last on removal: a hook that sees the sink sees its threshold
        if (newSink != null) {
            threshold = thresholdBytes;
            sink = newSink;
        } else {
            sink = null;
            threshold = Long.MAX_VALUE;
        }
    }

    /**
     * A whole read starts ({@code readAllBytes}, {@code EntityUtils.toByteArray}, ...).
     *
     * @return the thread's frame, to hand to {@link #exit}; null without a sink
     */
    public static Object enter() {
        if (sink == null) {
            return null;
        }
        Frame f = FRAME.get();
        f.depth++;
        return f;
    }

    /**
     * {@code readNBytes(len)} starts: a whole read only when {@code len} does not bound it below the
     * threshold ({@code readNBytes(Integer.MAX_VALUE)} is {@code readAllBytes}); a bounded read is none.
     */
    public static Object enterBounded(int len) {
        return len > threshold ? enter() : null;
    }

    /**
     * A whole read ends (also when it threw: {@code result} is then null).
     *
     * @param frame  what {@link #enter} returned
     * @param source one of {@link #SERVLET_REQUEST} ... {@link #NETTY_AGGREGATOR}; for
     *               {@link #INPUT_STREAM} the agent refines it from the stream's class
     * @param api    what the application called, e.g. {@code "InputStream.readAllBytes"}
     * @param stream the stream or response read (never retained), or null
     * @param result the {@code byte[]} or {@code String} read
     */
    public static void exit(Object frame, int source, String api, Object stream, Object result) {
        if (frame == null) {
            return;
        }
        Frame f = (Frame) frame;
        if (--f.depth == 0 && result != null) {
            whole(source, api, stream, result);
        }
    }

    /** A whole body materialised at once, outside the enter/exit pairing (the JDK client's {@code send}). */
    public static void whole(int source, String api, Object stream, Object result) {
        BufferingSink s = sink;
        long bytes;
        HookGuard.Depth d;
        if (s != null && (bytes = size(result)) >= 0 && (d = HookGuard.enter()) != null) {
            try {
                s.read(source, api, stream, bytes);
            } finally {
                d.exit();
            }
        }
    }

    /**
     * A {@code ByteArrayOutputStream} is about to ensure room for {@code minCapacity} bytes in its buffer of
     * {@code capacity} (its {@code ensureCapacity}, run by every write). Almost always there is room, and
     * this is one comparison of two locals. When there is not, the buffer grows as the JDK grows it (double,
     * or to {@code minCapacity} if that is more: JDK 11 to 25 alike), and the sink is called when that
     * crosses the threshold: once per buffer.
     *
     * <p>Called at the start of {@code ensureCapacity} only, not around it: advice around the method would
     * wrap the body of every write in an exception handler, which costs a tight write loop its
     * optimisations. The stream itself is deliberately not passed: a stream handed to a static method
     * escapes, and the JIT would then stop eliding the locks of its {@code synchronized} writes.
     */
    public static void ensureCapacity(int capacity, int minCapacity) {
        if (minCapacity > capacity) {
            grows(capacity, Math.max(capacity << 1, minCapacity));
        }
    }

    /**
     * A {@code ByteArrayOutputStream}'s buffer grows (or is created, with {@code before} 0) from
     * {@code before} to {@code after} bytes: the sink hears of it when that crosses the threshold.
     */
    public static void grows(int before, int after) {
        if (after > threshold && before <= threshold) {
            BufferingSink s = sink;
            HookGuard.Depth d;
            if (s != null && (d = HookGuard.enter()) != null) {
                try {
                    s.largeBuffer(after);
                } finally {
                    d.exit();
                }
            }
        }
    }

    /**
     * A servlet request's body stream was handed out ({@code getInputStream()}); {@code declaredLength}
     * is its {@code Content-Length} (-1 when none). Only bodies declared larger than the threshold are
     * remembered: a whole read of one of them is critical.
     */
    public static void servletBody(Object stream, long declaredLength) {
        if (declaredLength > threshold && stream != null) {
            BufferingSink s = sink;
            HookGuard.Depth d;
            if (s != null && (d = HookGuard.enter()) != null) {
                try {
                    s.declaredBody(stream, declaredLength);
                } finally {
                    d.exit();
                }
            }
        }
    }

    /** Netty's {@code HttpObjectAggregator} finished aggregating a message of {@code bytes}. */
    public static void aggregated(long bytes, int maxContentLength) {
        BufferingSink s = sink;
        HookGuard.Depth d;
        if (s != null && (d = HookGuard.enter()) != null) {
            try {
                s.aggregated(bytes, maxContentLength);
            } finally {
                d.exit();
            }
        }
    }

    /** Length of a {@code byte[]} or {@code CharSequence}; -1 for anything else. */
    static long size(Object result) {
        if (result instanceof byte[]) {
            return ((byte[]) result).length;
        }
        if (result instanceof CharSequence) {
            return ((CharSequence) result).length();
        }
        return -1;
    }

    /** Implemented by the agent; must never throw and never block. */
    public interface BufferingSink {
        /** A whole read of {@code bytes} completed. */
        void read(int source, String api, Object stream, long bytes);

        /** A {@code ByteArrayOutputStream} grew past the threshold, to a buffer of {@code capacity} bytes. */
        void largeBuffer(long capacity);

        /** A servlet body stream whose request declared more than the threshold. */
        void declaredBody(Object stream, long declaredLength);

        /** Netty aggregated a message of {@code bytes} (whatever its size). */
        void aggregated(long bytes, int maxContentLength);
    }
}
