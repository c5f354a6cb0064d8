package io.jdiag.agent.detector.buffering;

import io.jdiag.bootstrap.BufferingHooks;

/** The {@code source} label of the buffering metrics, indexed by the {@link BufferingHooks} constants. */
enum Source {
    SERVLET_REQUEST("servlet_request"),
    INPUT_STREAM("input_stream"),
    BYTE_ARRAY_OUTPUT_STREAM("byte_array_output_stream"),
    HTTP_CLIENT_RESPONSE("http_client_response"),
    NETTY_AGGREGATOR("netty_aggregator");

    static final Source[] ALL = values();

    final String label;

    Source(String label) {
        this.label = label;
    }

    /** The source for a hook constant; {@link #INPUT_STREAM} for anything unknown. */
    static Source of(int hookConstant) {
        return hookConstant >= 0 && hookConstant < ALL.length ? ALL[hookConstant] : INPUT_STREAM;
    }

    static {
        // The hooks pass ordinals: keep the two lists in step.
        if (SERVLET_REQUEST.ordinal() != BufferingHooks.SERVLET_REQUEST || INPUT_STREAM.ordinal() != BufferingHooks.INPUT_STREAM
                || BYTE_ARRAY_OUTPUT_STREAM.ordinal() != BufferingHooks.BYTE_ARRAY_OUTPUT_STREAM
                || HTTP_CLIENT_RESPONSE.ordinal() != BufferingHooks.HTTP_CLIENT_RESPONSE
                || NETTY_AGGREGATOR.ordinal() != BufferingHooks.NETTY_AGGREGATOR) {
            throw new AssertionError("Source and BufferingHooks constants differ");
        }
    }
}
