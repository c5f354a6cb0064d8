package io.jdiag.agent.detector.blocking;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code loop} label: the thread-name family of a loop thread, bounded. Netty names its threads
 * {@code <pool>-<group id>-<thread id>} ({@code multiThreadIoEventLoopGroup-3-1}), Vert.x
 * {@code vert.x-eventloop-thread-<n>}, Reactor Netty {@code reactor-http-nio-<n>}: without the last
 * number, that is one label per event-loop group. Beyond {@link #MAX} labels, {@code other}.
 */
final class LoopLabels {
    static final int MAX = 20;
    static final String OTHER = "other";

    private final Map<String, String> labels = new LinkedHashMap<>();

    /** The label of a thread named {@code threadName}; thread-safe. */
    synchronized String label(String threadName) {
        String family = family(threadName);
        String known = labels.get(family);
        if (known != null) {
            return known;
        }
        String label = labels.size() < MAX ? family : OTHER;
        labels.put(family, label);
        return label;
    }

    /** {@code multiThreadIoEventLoopGroup-3-1} → {@code multiThreadIoEventLoopGroup-3}; a name without a trailing number is its own family. */
    static String family(String threadName) {
        if (threadName == null || threadName.isEmpty()) {
            return "unnamed";
        }
        int end = threadName.length();
        int i = end;
        while (i > 0 && Character.isDigit(threadName.charAt(i - 1))) {
            i--;
        }
        if (i == end || i == 0) {
            return threadName;
        }
        char sep = threadName.charAt(i - 1);
        if (sep == '-' || sep == '_' || sep == '#' || sep == ' ' || sep == '.') {
            i--;
        }
        return i == 0 ? threadName : threadName.substring(0, i);
    }
}
