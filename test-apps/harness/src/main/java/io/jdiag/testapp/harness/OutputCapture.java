package io.jdiag.testapp.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drains one output stream of a child process into memory on a daemon thread.
 *
 * <p>Draining continuously matters: a child blocks once the OS pipe buffer (typically 64 KiB) is full,
 * which would stall a chatty agent. The text is readable at any time and waiters are notified as it
 * grows.
 */
final class OutputCapture {

    private final StringBuilder text = new StringBuilder(); // guarded by this
    private final Thread thread;
    private final PrintStream echo;
    private final String echoPrefix;

    /**
     * @param echo if not null, every chunk is also copied there (prefixed per line), handy when debugging
     */
    OutputCapture(InputStream in, String name, PrintStream echo) {
        this.echo = echo;
        this.echoPrefix = "[" + name + "] ";
        this.thread = new Thread(() -> drain(in), "capture-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void drain(InputStream in) {
        char[] buf = new char[8192];
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int n;
            while ((n = reader.read(buf)) >= 0) {
                synchronized (this) {
                    text.append(buf, 0, n);
                    notifyAll();
                }
                if (echo != null) {
                    echo.print(new String(buf, 0, n).replaceAll("(?m)^", echoPrefix));
                }
            }
        } catch (IOException e) {
            // The stream is closed when the process is destroyed; nothing more to capture.
        }
    }

    /** Everything captured so far. */
    synchronized String text() {
        return text.toString();
    }

    /**
     * Waits until {@code pattern} is found in the captured text, the timeout elapses, or {@code stop}
     * returns true (checked at least every 100 ms, e.g. "the process died").
     */
    Optional<Matcher> await(Pattern pattern, Duration timeout, BooleanSupplier stop) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                Matcher m = pattern.matcher(text.toString());
                if (m.find()) {
                    return Optional.of(m);
                }
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0 || stop.getAsBoolean()) {
                    return Optional.empty();
                }
                wait(Math.min(remainingMs, 100));
            }
        }
    }

    /** Waits (bounded) until the stream reached EOF, so that {@link #text()} is complete. */
    void awaitEof(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
    }
}
