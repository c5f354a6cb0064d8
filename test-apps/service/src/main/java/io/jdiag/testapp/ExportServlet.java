package io.jdiag.testapp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Serialization of many rows or of one, mapped to {@code /export/*} (the {@code serialization} detector).
 *
 * <ul>
 *   <li>{@code GET /export?rows=N} (1..2,000,000, default 200,000): Jackson {@code writeValueAsBytes} of N rows</li>
 *   <li>{@code GET /export/small}: Jackson, one row</li>
 *   <li>{@code GET /export/gson?rows=N}: Gson {@code toJson} of N rows; {@code /export/gson-small}: one row</li>
 *   <li>{@code GET /export/java?rows=N}: {@code ObjectOutputStream.writeObject} of N rows</li>
 *   <li>{@code GET /export/import?rows=N}: Jackson {@code readValue} of N rows' JSON (built with the
 *       streaming generator, which is no databind call)</li>
 * </ul>
 * They answer {@code 200 exported <rows> rows as <N> bytes} (or {@code imported}). The methods the agent
 * reports are named for what they do ({@code exportAllRowsAsJson}, ...); the integration tests look for
 * them: do not rename.
 */
final class ExportServlet extends RoutedServlet {

    static final String MAPPING = "/export/*";
    private static final int MAX_ROWS = 2_000_000;
    private static final ObjectMapper JACKSON = new ObjectMapper();
    private static final Gson GSON = new Gson();

    /** One exported row: a few fields of the kinds a real export has. */
    record Row(long id, String name, String email, double amount, String status, List<String> tags) implements Serializable {
        static Row of(long i) {
            return new Row(i, "customer-" + i, "customer" + i + "@example.com", i * 1.25,
                    i % 3 == 0 ? "active" : "closed", List.of("t" + (i % 7), "region-" + (i % 5)));
        }
    }

    ExportServlet() {
        super(MAPPING);
        get("/small", "Jackson: one row", this::small);
        get("/gson", "Gson toJson of ?rows=N rows (slow serialization)", this::gson);
        get("/gson-small", "Gson: one row", this::gsonSmall);
        get("/java", "ObjectOutputStream.writeObject of ?rows=N rows (slow serialization)", this::java);
        get("/import", "Jackson readValue of ?rows=N rows' JSON (slow deserialization)", this::importRows);
    }

    /** {@code GET /export} itself (no path info): the large Jackson export. */
    static final Endpoint ROOT = new Endpoint("/export", "Jackson writeValueAsBytes of ?rows=N rows (slow serialization)");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() == null || req.getPathInfo().equals("/")) {
            List<Row> rows = rows(req, resp);
            if (rows != null) {
                exported(resp, rows.size(), exportAllRowsAsJson(rows));
            }
            return;
        }
        super.doGet(req, resp);
    }

    private void small(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        exported(resp, 1, exportOneRowAsJson(Row.of(1)));
    }

    private void gson(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<Row> rows = rows(req, resp);
        if (rows != null) {
            exported(resp, rows.size(), exportAllRowsWithGson(rows));
        }
    }

    private void gsonSmall(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        exported(resp, 1, exportOneRowWithGson(Row.of(1)));
    }

    private void java(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<Row> rows = rows(req, resp);
        if (rows != null) {
            exported(resp, rows.size(), exportAllRowsSerialized(rows));
        }
    }

    private void importRows(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<Row> rows = rows(req, resp);
        if (rows != null) {
            byte[] json = buildJsonInput(rows);
            sendText(resp, HttpServletResponse.SC_OK, "imported " + importAllRowsFromJson(json) + " rows from "
                    + json.length + " bytes");
        }
    }

    // ---- the code the agent observes ----------------------------------------------------------------

    private static long exportAllRowsAsJson(List<Row> rows) throws IOException {
        return JACKSON.writeValueAsBytes(rows).length;
    }

    private static long exportOneRowAsJson(Row row) throws IOException {
        return JACKSON.writeValueAsBytes(row).length;
    }

    private static long exportAllRowsWithGson(List<Row> rows) {
        return GSON.toJson(rows).length();
    }

    private static long exportOneRowWithGson(Row row) {
        return GSON.toJson(row).length();
    }

    /** To a stream that only counts: what matters here is the serialization, not where it goes. */
    private static long exportAllRowsSerialized(List<Row> rows) throws IOException {
        CountingStream counter = new CountingStream();
        try (ObjectOutputStream out = new ObjectOutputStream(counter)) {
            out.writeObject(new ArrayList<>(rows));
        }
        return counter.count;
    }

    private static int importAllRowsFromJson(byte[] json) throws IOException {
        return JACKSON.readValue(json, Row[].class).length;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /**
     * The input of the import, written with Jackson's streaming generator (not a databind call) into
     * Jackson's own segmented builder: a {@code ByteArrayOutputStream} this large would be a buffering
     * finding of its own.
     */
    private static byte[] buildJsonInput(List<Row> rows) throws IOException {
        ByteArrayBuilder out = new ByteArrayBuilder();
        try (JsonGenerator g = JACKSON.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (Row r : rows) {
                g.writeStartObject();
                g.writeNumberField("id", r.id());
                g.writeStringField("name", r.name());
                g.writeStringField("email", r.email());
                g.writeNumberField("amount", r.amount());
                g.writeStringField("status", r.status());
                g.writeArrayFieldStart("tags");
                for (String t : r.tags()) {
                    g.writeString(t);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        return out.toByteArray();
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static List<Row> rows(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int n;
        try {
            n = Integer.parseInt(param(req, "rows", "200000"));
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_ROWS) {
            sendText(resp, HttpServletResponse.SC_BAD_REQUEST, "expected ?rows=1.." + MAX_ROWS);
            return null;
        }
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(Row.of(i));
        }
        return rows;
    }

    private static void exported(HttpServletResponse resp, int rows, long bytes) throws IOException {
        sendText(resp, HttpServletResponse.SC_OK, "exported " + rows + " rows as " + bytes + " bytes");
    }
}
