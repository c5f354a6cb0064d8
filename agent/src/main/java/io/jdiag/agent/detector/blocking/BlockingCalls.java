package io.jdiag.agent.detector.blocking;

import io.jdiag.agent.report.Stacks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@code call} label says, and what a stack sampled on a stuck loop was doing. Pure logic.
 *
 * <p>The advice passes {@code Class.method} of the method it is woven into; users know the public
 * API, not the JDK's implementation classes, so {@code sun.nio.ch.NioSocketImpl.read} becomes
 * {@code java.net.Socket.read}. The set of names is bounded by the instrumented methods.
 */
final class BlockingCalls {
    static final String SLEEP = "java.lang.Thread.sleep";
    static final String WAIT = "java.lang.Object.wait";
    static final String PARK = "java.util.concurrent.locks.LockSupport.park";

    /** JDK implementation methods → the public call a user wrote. */
    private static final Map<String, String> API = new HashMap<>();
    /**
     * Frames of a sampled stack that mean "blocked in this call": the native or internal methods a
     * blocking call ends in, including those the advice cannot reach (natives on JDK 17).
     */
    private static final Map<String, String> FRAMES = new HashMap<>();

    static {
        API.put("sun.nio.ch.NioSocketImpl.read", "java.net.Socket.read");
        API.put("sun.nio.ch.NioSocketImpl.write", "java.net.Socket.write");
        API.put("sun.nio.ch.NioSocketImpl.connect", "java.net.Socket.connect");
        API.put("sun.nio.ch.NioSocketImpl.accept", "java.net.ServerSocket.accept");
        for (String m : new String[] {"read", "write", "transferTo", "transferFrom", "force"}) {
            API.put("sun.nio.ch.FileChannelImpl." + m, "java.nio.channels.FileChannel." + m);
        }
        API.put("java.util.concurrent.FutureTask.get", "java.util.concurrent.Future.get");
        API.put("java.util.concurrent.CompletableFuture.get", "java.util.concurrent.Future.get");
        for (String m : new String[] {"parkNanos", "parkUntil"}) {
            API.put("java.util.concurrent.locks.LockSupport." + m, PARK);
        }

        for (String m : new String[] {"sleep", "sleep0", "sleepNanos", "sleepNanos0"}) {
            FRAMES.put("java.lang.Thread." + m, SLEEP);
        }
        FRAMES.put("java.lang.Object.wait", WAIT);
        FRAMES.put("java.lang.Object.wait0", WAIT);
        for (String m : new String[] {"park", "parkNanos", "parkUntil"}) {
            FRAMES.put("java.util.concurrent.locks.LockSupport." + m, PARK);
        }
        FRAMES.put("jdk.internal.misc.Unsafe.park", PARK);
        FRAMES.put("sun.misc.Unsafe.park", PARK);
        FRAMES.put("java.io.FileInputStream.readBytes", "java.io.FileInputStream.read");
        FRAMES.put("java.io.FileInputStream.read0", "java.io.FileInputStream.read");
        FRAMES.put("java.io.FileOutputStream.writeBytes", "java.io.FileOutputStream.write");
        FRAMES.put("java.io.FileOutputStream.write", "java.io.FileOutputStream.write");
        FRAMES.put("java.io.RandomAccessFile.readBytes", "java.io.RandomAccessFile.read");
        FRAMES.put("java.io.RandomAccessFile.read0", "java.io.RandomAccessFile.read");
        FRAMES.put("java.io.RandomAccessFile.writeBytes", "java.io.RandomAccessFile.write");
        FRAMES.put("java.io.RandomAccessFile.write0", "java.io.RandomAccessFile.write");
        FRAMES.put("java.net.SocketInputStream.socketRead0", "java.net.Socket.read");
        FRAMES.put("java.net.SocketOutputStream.socketWrite0", "java.net.Socket.write");
        FRAMES.put("java.net.PlainSocketImpl.socketConnect", "java.net.Socket.connect");
        FRAMES.put("java.net.PlainSocketImpl.socketAccept", "java.net.ServerSocket.accept");
        FRAMES.put("java.lang.ProcessImpl.waitForProcessExit", "java.lang.Process.waitFor");
        FRAMES.put("java.lang.ProcessHandleImpl.waitForProcessExit0", "java.lang.Process.waitFor");
        for (Map.Entry<String, String> e : API.entrySet()) {
            FRAMES.putIfAbsent(e.getKey(), e.getValue());
        }
    }

    /** Methods a loop waits for work in: a sample there is an idle loop, not a stuck one. */
    private static final String[] IDLE_FRAMES = {
        "sun.nio.ch.SelectorImpl.lockAndDoSelect", "io.netty.channel.epoll.Native.epollWait",
        "io.netty.channel.epoll.Native.epollBusyWait", "io.netty.channel.kqueue.Native.keventWait",
        "io.netty.util.concurrent.SingleThreadEventExecutor.takeTask",
        "java.util.concurrent.ThreadPoolExecutor.getTask",
    };
    /** How far from the top an idle wait's frame is looked for. */
    private static final int IDLE_DEPTH = 12;

    private BlockingCalls() {}

    /** The public name of a call the advice reported ({@code Class.method}). */
    static String apiName(String call) {
        String api = API.get(call);
        return api != null ? api : call;
    }

    /** What a stack sampled on a loop thread shows: the loop idle, blocked in a known call, or running code. */
    static final class Sample {
        /** Null unless the loop was blocked in a known blocking call: its public name. */
        final String call;
        final boolean idle;

        private Sample(String call, boolean idle) {
            this.call = call;
            this.idle = idle;
        }
    }

    static final Sample IDLE = new Sample(null, true);
    static final Sample RUNNING = new Sample(null, false);

    /**
     * Reads a sampled stack (top first, {@link Stacks#frame} strings): idle when the loop waits for
     * work; a blocking call when the JDK frames on top of the first non-JDK frame include a known
     * blocking method (the top-most one that is known wins); else running code (CPU-heavy work, or
     * blocking in something on no list).
     */
    static Sample classify(List<String> frames) {
        for (int i = 0; i < frames.size() && i < IDLE_DEPTH; i++) {
            for (String idle : IDLE_FRAMES) {
                if (frames.get(i).startsWith(idle + "(")) {
                    return IDLE;
                }
            }
        }
        for (String frame : frames) {
            if (!Stacks.isPlatformFrame(frame)) {
                break;
            }
            String call = FRAMES.get(Stacks.method(frame));
            if (call != null) {
                return new Sample(call, false);
            }
        }
        return RUNNING;
    }

    /** The simple form for summaries: {@code java.lang.Thread.sleep} → {@code Thread.sleep}. */
    static String shortName(String call) {
        int method = call.lastIndexOf('.');
        int type = method > 0 ? call.lastIndexOf('.', method - 1) : -1;
        return type >= 0 ? call.substring(type + 1) : call;
    }
}
