package io.jdiag.agent.detector.leaks;

/** The {@code type} label of leaks metrics; a fixed set, so the label is bounded. */
enum ResourceType {
    FILE("file"),
    SOCKET("socket"),
    JDBC_CONNECTION("jdbc_connection"),
    JDBC_STATEMENT("jdbc_statement"),
    JDBC_RESULTSET("jdbc_resultset"),
    HTTP_RESPONSE("http_response"),
    ZIP("zip");

    static final ResourceType[] ALL = values();

    final String label;

    ResourceType(String label) {
        this.label = label;
    }

    /** Hook-side lookup; advice passes the label as a constant string. Unknown labels fold into FILE's neighbour: none exist. */
    static ResourceType of(String label) {
        for (ResourceType t : ALL) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        return null;
    }
}
