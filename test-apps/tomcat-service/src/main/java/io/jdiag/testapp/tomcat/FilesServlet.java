package io.jdiag.testapp.tomcat;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * File-handle leaks, mapped to the prefix {@code /files/*}: {@code GET /files/leak} opens a
 * {@code FileInputStream} and never closes it (in {@code readWithoutClose}), {@code GET /files/read}
 * closes it with try-with-resources (in {@code readAndClose}). Both read {@code a.txt} of the data
 * directory and answer {@code 200 read <N> bytes}; any other path under {@code /files/} is 404.
 *
 * <p>The method names are part of the contract: the agent reports the opening stack of a leaked
 * resource and the integration tests look for them. Never keep the stream anywhere: a reference
 * would make the leak reachable, which the agent must not report.
 */
final class FilesServlet extends HttpServlet {
    static final String MAPPING = "/files/*";
    static final String FILE = "a.txt";
    private static final int SIZE = 200;
    private static final int READ_LIMIT = 1024;

    private final Path dir;

    FilesServlet(Path dir) {
        this.dir = dir;
    }

    /** Writes the file the endpoints read. */
    static void writeDataFiles(Path dir) throws IOException {
        byte[] content = "jdiag tomcat test data\n".repeat(SIZE / 23 + 1).substring(0, SIZE).getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve(FILE), content);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo();
        Path file = dir.resolve(FILE);
        if ("/leak".equals(path)) {
            Responses.text(resp, HttpServletResponse.SC_OK, "read " + readWithoutClose(file) + " bytes");
        } else if ("/read".equals(path)) {
            Responses.text(resp, HttpServletResponse.SC_OK, "read " + readAndClose(file) + " bytes");
        } else {
            Responses.text(resp, HttpServletResponse.SC_NOT_FOUND, "no such endpoint: " + req.getRequestURI());
        }
    }

    /** Deliberate leak: the stream is never closed and becomes unreachable on return. */
    private static int readWithoutClose(Path file) throws IOException {
        FileInputStream in = new FileInputStream(file.toFile());
        return Math.max(0, in.read(new byte[READ_LIMIT]));
    }

    private static int readAndClose(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return Math.max(0, in.read(new byte[READ_LIMIT]));
        }
    }
}
