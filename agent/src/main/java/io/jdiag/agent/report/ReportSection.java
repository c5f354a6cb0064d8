package io.jdiag.agent.report;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** An extra top-level part of the report that a detector contributes (e.g. leaks' long-open resources). */
public interface ReportSection {
    /** The JSON field name. */
    String name();

    /** Writes the field's value (an array or object). */
    void writeJson(JsonGenerator json) throws IOException;

    /** Appends a part of the text report, or nothing when there is nothing to say. */
    void writeText(StringBuilder out);
}
