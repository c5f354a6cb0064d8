package io.jdiag.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.locks.LockSupport;

/**
 * Cuts the first attach to a JVM short by up to 100 ms. When a JVM has not opened its attach
 * socket yet, HotSpot's {@code VirtualMachine.attach} (Linux, JDK 11 to 25) sends it SIGQUIT and
 * then sleeps 100 ms, 200 ms, ... between checks for the socket file, although the JVM opens it
 * within a few milliseconds. This watches for that file ({@code /proc/<pid>/root/tmp/.java_pid<ns
 * pid>}, the target's own /tmp) on a daemon thread and, once it is there, interrupts the attaching
 * thread's sleep: the attach API catches and ignores the interrupt, checks the file again and
 * connects. Everything else (the checks, the signal, the timeout) stays the attach API's.
 *
 * <p>The interrupt is sent at most once, only while the attaching thread sleeps and the file
 * exists, and {@link #close()} clears any that arrived late. Where the file cannot be watched
 * (not Linux, another mount namespace that hides it, socket already open) this does nothing.
 */
final class AttachWaker implements AutoCloseable, Runnable {
    private static final long POLL_NANOS = 1_000_000;
    /** The attach API gives up after 10 s by default; a waker never outlives a few seconds of polling. */
    private static final long MAX_WATCH_NANOS = 5_000_000_000L;

    private final File socket;
    private final Thread caller;
    private boolean done; // guarded by this

    private AttachWaker(File socket, Thread caller) {
        this.socket = socket;
        this.caller = caller;
    }

    /** Starts watching for the attach socket of {@code pid}; returns null when there is nothing to wait for. */
    static AttachWaker start(long pid) {
        File proc = new File("/proc/" + pid);
        if (!proc.isDirectory()) {
            return null;
        }
        File socket = socket(pid);
        if (socket.exists() || !socket.getParentFile().canRead()) {
            return null; // already open (the attach connects at once), or not visible from here
        }
        AttachWaker waker = new AttachWaker(socket, Thread.currentThread());
        Thread thread = new Thread(waker, "jdiag-attach-waker");
        thread.setDaemon(true);
        thread.start();
        return waker;
    }

    /** Whether {@code pid} has its attach socket open already: it was attached to before (by jdiag, jcmd, ...). */
    static boolean socketOpen(long pid) {
        return new File("/proc/" + pid).isDirectory() && socket(pid).exists();
    }

    private static File socket(long pid) {
        return new File("/proc/" + pid + "/root/tmp/.java_pid" + namespacePid(pid));
    }

    /** The pid the target knows itself by (its innermost pid namespace), as the attach API names the socket. */
    static long namespacePid(long pid) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/" + pid + "/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring("NSpid:".length()).trim().split("\\s+");
                    return Long.parseLong(ids[ids.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the attach API finds out itself
        }
        return pid;
    }

    @Override
    public void run() {
        long deadline = System.nanoTime() + MAX_WATCH_NANOS;
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                if (done) {
                    return;
                }
                if (caller.getState() == Thread.State.TIMED_WAITING && socket.exists()) {
                    Debug.step("attach socket is open: waking the attach API");
                    caller.interrupt();
                    return;
                }
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Stops watching; clears an interrupt that arrived after the attach API's last sleep. */
    @Override
    public void close() {
        synchronized (this) {
            done = true;
        }
        Thread.interrupted();
    }
}
