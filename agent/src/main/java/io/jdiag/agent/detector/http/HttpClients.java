package io.jdiag.agent.detector.http;

import io.jdiag.agent.core.DetectorContext;
import io.jdiag.agent.core.TypeInstrumentation;
import java.util.Collections;
import java.util.List;

/** The outbound half of the http detector: HTTP client instrumentations and their analyzer. */
final class HttpClients {
    List<TypeInstrumentation> instrumentations() {
        return Collections.emptyList();
    }

    void start(DetectorContext context) {
    }

    void stop() {
    }
}
