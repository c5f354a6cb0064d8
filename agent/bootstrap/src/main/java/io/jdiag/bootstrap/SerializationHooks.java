package io.jdiag.bootstrap;

/**
 * Entry points for the {@code serialization} detector's advice, woven into Jackson
 * ({@code ObjectMapper}, {@code ObjectWriter}, {@code ObjectReader}), Gson and
 * {@code ObjectOutputStream}/{@code ObjectInputStream}. Each is a no-op without a sink.
 *
 * <p>Only the outermost call on a thread is timed: a serializer calling another (Jackson's
 * {@code readValue(String, Class)} → {@code readValue(String, JavaType)}, Gson's {@code toJson}
 * overloads, a custom {@code writeObject} calling {@code writeObject} again, a Jackson serializer
 * that calls Gson) is one call of the outermost library. Cost per call: two thread-local lookups, two
 * clock reads, and the sink's recording into the thread's own {@link ThreadCounters} (no atomic
 * instruction); the sink runs inside {@link HookGuard}.
 */
public final class SerializationHooks {
    /** {@code library} label {@code jackson}. */
    public static final int JACKSON = 0;
    /** {@code library} label {@code gson}. */
    public static final int GSON = 1;
    /** {@code library} label {@code java}: {@code ObjectOutputStream}/{@code ObjectInputStream}. */
    public static final int JAVA = 2;
    /** {@code operation} label {@code serialize}. */
    public static final int SERIALIZE = 0;
    /** {@code operation} label {@code deserialize}. */
    public static final int DESERIALIZE = 1;

    /** Slots of each thread's {@link ThreadCounters#values}: enough for the agent's layout. */
    public static final int COUNTER_SLOTS = 192;

    /** Set by the agent on start, cleared on detach. Volatile: read on every call by any thread. */
    private static volatile SerializationSink sink;
    /** Bumped on every install: counters of an earlier agent (before a detach) are not carried over. */
    private static volatile int generation;
    /** Every thread's counters; the agent drops those of finished threads and of earlier installs. */
    private static final java.util.concurrent.ConcurrentLinkedQueue<ThreadCounters> COUNTERS =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The serialization calls in progress on one thread. Touched only by that thread. */
    static final class Frame {
        int depth;
        long startNanos;
        ThreadCounters counters;
        int generation = -1;
    }

    // An explicit subclass, not withInitial(lambda): see HookGuard.
    private static final ThreadLocal<Frame> FRAME = new ThreadLocal<Frame>() {
        @Override
        protected Frame initialValue() {
            return new Frame();
        }
    };

    private SerializationHooks() {}

    /** Installs the sink (null: none); the calls recorded from now on count in {@link #generation()}. */
    public static void install(SerializationSink newSink) {
        sink = null;
        generation++;
        sink = newSink;
    }

    /** The current install: the {@link ThreadCounters#generation} of the counters it records. */
    public static int generation() {
        return generation;
    }

    /** The counters of every thread that completed a call (live view; the agent removes what it no longer needs). */
    public static java.util.Collection<ThreadCounters> threadCounters() {
        return COUNTERS;
    }

    /**
     * A (de)serialization call starts.
     *
     * @return the thread's frame, to hand to {@link #exit}; null without a sink
     */
    public static Object enter() {
        if (sink == null) {
            return null;
        }
        Frame f = FRAME.get();
        if (f.depth++ == 0) {
            f.startNanos = System.nanoTime();
        }
        return f;
    }

    /**
     * A (de)serialization call ends (also when it threw).
     *
     * @param frame     what {@link #enter} returned
     * @param library   {@link #JACKSON}, {@link #GSON} or {@link #JAVA}
     * @param operation {@link #SERIALIZE} or {@link #DESERIALIZE}
     * @param value     the top-level object: the one serialized, or the one deserialized (null when it threw)
     * @param sized     what tells the size: the {@code byte[]}/{@code String} produced or read; else anything
     */
    public static void exit(Object frame, int library, int operation, Object value, Object sized) {
        if (frame == null) {
            return;
        }
        Frame f = (Frame) frame;
        if (--f.depth != 0) {
            return;
        }
        long nanos = System.nanoTime() - f.startNanos;
        SerializationSink s = sink;
        HookGuard.Depth d;
        if (s != null && (d = HookGuard.enter()) != null) {
            try {
                ThreadCounters c = f.counters;
                int g = generation;
                if (c == null || f.generation != g) {
                    c = new ThreadCounters(g, Thread.currentThread(), COUNTER_SLOTS);
                    f.generation = g;
                    f.counters = c;
                    COUNTERS.add(c);
                }
                s.completed(c, library, operation, value, size(sized), nanos);
            } finally {
                d.exit();
            }
        }
    }

    /** Length of a {@code byte[]} or {@code CharSequence}; -1 when not measurable. */
    static long size(Object sized) {
        if (sized instanceof byte[]) {
            return ((byte[]) sized).length;
        }
        if (sized instanceof CharSequence) {
            return ((CharSequence) sized).length();
        }
        return -1;
    }

    /** Implemented by the agent; must never throw and never block. */
    public interface SerializationSink {
        /**
         * @param counters the calling thread's own counters, to record into with plain stores
         * @param bytes    size produced or read, -1 when not measurable
         */
        void completed(ThreadCounters counters, int library, int operation, Object value, long bytes, long nanos);
    }
}
