package io.jdiag.testapp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Request bodies read whole or streamed, mapped to {@code /upload/*} (the {@code buffering} detector).
 *
 * <ul>
 *   <li>{@code POST /upload}: reads the whole body into memory ({@code readAllBytes}), the unbounded way</li>
 *   <li>{@code POST /upload/stream}: copies the body to a file in 64 KiB chunks, then deletes the file;
 *       memory stays flat whatever the body's size</li>
 *   <li>{@code GET /upload/buffer?mib=N} (1..512, default 16): builds N MiB in a {@code ByteArrayOutputStream}</li>
 * </ul>
 * They answer {@code 200 read <N> bytes}, {@code stored <N> bytes}, {@code buffered <N> bytes}. As in
 * {@link FilesServlet}, the code the agent reports sits in methods whose names say what they do
 * ({@code readWholeBody}, {@code bufferInMemory}); the integration tests look for them: do not rename.
 */
final class UploadServlet extends RoutedServlet {

    static final String MAPPING = "/upload/*";
    private static final int CHUNK = 64 * 1024;
    private static final int MAX_MIB = 512;

    private final ServiceData data;

    UploadServlet(ServiceData data) {
        super(MAPPING);
        this.data = data;
        get("/buffer", "builds ?mib=N MiB in a ByteArrayOutputStream (unbounded buffering)", this::buffer);
    }

    /** The POST endpoints, for the index page (this servlet's GET routes list themselves). */
    static final java.util.List<Endpoint> POST_ENDPOINTS = java.util.List.of(
            new Endpoint("POST /upload", "reads the request body whole into memory (unbounded buffering)"),
            new Endpoint("POST /upload/stream", "copies the request body to a file in 64 KiB chunks"));

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        if (path == null || path.equals("/")) {
            sendText(resp, HttpServletResponse.SC_OK, "read " + readWholeBody(req) + " bytes");
        } else if (path.equals("/stream")) {
            sendText(resp, HttpServletResponse.SC_OK, "stored " + copyBodyInChunks(req) + " bytes");
        } else {
            sendText(resp, HttpServletResponse.SC_NOT_FOUND, "no such endpoint: POST " + req.getRequestURI());
        }
    }

    private void buffer(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int mib;
        try {
            mib = Integer.parseInt(param(req, "mib", "16"));
        } catch (NumberFormatException e) {
            mib = -1;
        }
        if (mib < 1 || mib > MAX_MIB) {
            sendText(resp, HttpServletResponse.SC_BAD_REQUEST, "expected ?mib=1.." + MAX_MIB);
            return;
        }
        sendText(resp, HttpServletResponse.SC_OK, "buffered " + bufferInMemory(mib) + " bytes");
    }

    // ---- the code the agent observes ---------------------------------------------------------------

    /** Unbounded: the whole body in one array, however large the client made it. */
    private static int readWholeBody(HttpServletRequest req) throws IOException {
        byte[] body = req.getInputStream().readAllBytes();
        return body.length;
    }

    /** Bounded: 64 KiB at a time to a file. */
    private long copyBodyInChunks(HttpServletRequest req) throws IOException {
        Path file = Files.createTempFile(data.dir(), "upload-", ".bin");
        try {
            long total = 0;
            byte[] chunk = new byte[CHUNK];
            try (InputStream in = req.getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                for (int n; (n = in.read(chunk)) >= 0; ) {
                    out.write(chunk, 0, n);
                    total += n;
                }
            }
            return total;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Unbounded: N MiB accumulated in memory before anything is done with it. */
    private static int bufferInMemory(int mib) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[CHUNK];
        for (long written = 0; written < (long) mib << 20; written += CHUNK) {
            buffer.write(chunk, 0, CHUNK);
        }
        return buffer.toByteArray().length;
    }
}
