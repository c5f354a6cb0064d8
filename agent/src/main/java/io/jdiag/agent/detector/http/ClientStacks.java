package io.jdiag.agent.detector.http;

import io.jdiag.agent.report.Stacks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Finds the application's calling frame in the stack of an outbound HTTP call: below the JDK and agent
 * frames ({@link Stacks#isPlatformFrame}) lie the client library's own frames and often a wrapper
 * (Retrofit, Feign, Spring's {@code RestTemplate}); the frame a user would change is the first one
 * that belongs to none of them.
 */
final class ClientStacks {
    private ClientStacks() {}

    /** Index of the first frame that is neither platform nor client library; -1 when there is none. */
    static int firstApplicationFrame(List<String> frames) {
        for (int i = 0; i < frames.size(); i++) {
            String f = frames.get(i);
            if (!Stacks.isPlatformFrame(f) && !Stacks.isLibraryFrame(f)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The stack as the report shows it: starting at the library method the application called (the
     * frame just above the application's), so the first two lines read "what was called, from where".
     */
    static List<String> fromCall(List<String> frames) {
        int i = firstApplicationFrame(frames);
        if (i <= 0) {
            return frames.isEmpty() ? Collections.emptyList() : new ArrayList<>(frames);
        }
        return new ArrayList<>(frames.subList(i - 1, frames.size()));
    }
}
