package io.jdiag.agent.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's only output: {@code jdiag:} lines on stderr. Never JUL or the application's logging,
 * which the application may not have configured yet (and which we must not configure for it).
 */
public final class Log {
    /** Keys of messages already printed by {@link #once}; bounded so a flood of distinct keys cannot grow it. */
    private static final Set<String> PRINTED = ConcurrentHashMap.newKeySet();
    private static final int MAX_ONCE_KEYS = 1000;

    private Log() {}

    public static void line(String message) {
        System.err.println(message.startsWith("jdiag:") ? message : "jdiag: " + message);
    }

    /** Prints a line the first time {@code key} is seen, and nothing after. */
    public static void once(String key, String message) {
        if (PRINTED.size() < MAX_ONCE_KEYS && PRINTED.add(key)) {
            line(message);
        }
    }
}
