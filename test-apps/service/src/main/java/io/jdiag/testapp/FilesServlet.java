package io.jdiag.testapp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * File-handle leaks, mapped to {@code /files/*}.
 *
 * <p>Every leaking endpoint has a correct twin. The leaking variants open the resource in a dedicated
 * private method ({@code readWithoutClose}, {@code channelWithoutClose}, {@code rafWithoutClose},
 * {@code zipWithoutClose}) and never close it; the resource becomes unreachable when that method
 * returns and is only released by the JDK's Cleaner after a GC. The method names are part of the
 * contract: the agent reports the allocation stack of a leaked resource, and the integration tests
 * look for these names in it. Do not rename them, and never store the resources anywhere (a reference
 * in a collection would turn the leak into something the agent must not report as unreachable).
 *
 * <p>All endpoints take {@code ?name=<n>} (default {@code a}), {@code [a-z0-9]+} else 400, selecting the
 * file {@code <n>.txt} of the data dir (404 if it doesn't exist) or, for the zip variants, the entry
 * {@code <n>.txt} of {@code data.zip}. They respond {@code 200 read <N> bytes}.
 */
final class FilesServlet extends RoutedServlet {

    static final String MAPPING = "/files/*";

    /** Upper bound for one read; the data files are smaller, so in practice one read gets a whole file. */
    private static final int READ_LIMIT = 1024;

    private final ServiceData data;

    FilesServlet(ServiceData data) {
        super(MAPPING);
        this.data = data;
        get("/leak", "FileInputStream opened and never closed (leak)", this::leak);
        get("/read", "FileInputStream closed with try-with-resources", this::read);
        get("/leak-channel", "FileChannel opened and never closed (leak)", this::leakChannel);
        get("/read-channel", "FileChannel closed with try-with-resources", this::readChannel);
        get("/leak-raf", "RandomAccessFile opened and never closed (leak)", this::leakRaf);
        get("/read-raf", "RandomAccessFile closed with try-with-resources", this::readRaf);
        get("/leak-zip", "ZipFile opened and never closed (leak)", this::leakZip);
        get("/read-zip", "ZipFile closed with try-with-resources", this::readZip);
    }

    // ---- handlers -------------------------------------------------------------------------------

    private void leak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<Path> file = requestedFile(req, resp);
        if (file.isPresent()) {
            respondRead(resp, readWithoutClose(file.get()));
        }
    }

    private void read(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<Path> file = requestedFile(req, resp);
        if (file.isPresent()) {
            respondRead(resp, readAndClose(file.get()));
        }
    }

    private void leakChannel(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<Path> file = requestedFile(req, resp);
        if (file.isPresent()) {
            respondRead(resp, channelWithoutClose(file.get()));
        }
    }

    private void readChannel(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<Path> file = requestedFile(req, resp);
        if (file.isPresent()) {
            respondRead(resp, channelAndClose(file.get()));
        }
    }

    private void leakRaf(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<Path> file = requestedFile(req, resp);
        if (file.isPresent()) {
            respondRead(resp, rafWithoutClose(file.get()));
        }
    }

    private void readRaf(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<Path> file = requestedFile(req, resp);
        if (file.isPresent()) {
            respondRead(resp, rafAndClose(file.get()));
        }
    }

    private void leakZip(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // The zip's entries are copies of the text files, so the same existence check applies.
        if (requestedFile(req, resp).isPresent()) {
            respondRead(resp, zipWithoutClose(data.zipFile(), entryName(req)));
        }
    }

    private void readZip(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (requestedFile(req, resp).isPresent()) {
            respondRead(resp, zipAndClose(data.zipFile(), entryName(req)));
        }
    }

    // ---- the resource code the agent observes ---------------------------------------------------

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

    /** Deliberate leak: the channel is never closed and becomes unreachable on return. */
    private static int channelWithoutClose(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        return Math.max(0, channel.read(ByteBuffer.allocate(READ_LIMIT)));
    }

    private static int channelAndClose(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return Math.max(0, channel.read(ByteBuffer.allocate(READ_LIMIT)));
        }
    }

    /** Deliberate leak: the file is never closed and becomes unreachable on return. */
    private static int rafWithoutClose(Path file) throws IOException {
        RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
        return Math.max(0, raf.read(new byte[READ_LIMIT]));
    }

    private static int rafAndClose(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            return Math.max(0, raf.read(new byte[READ_LIMIT]));
        }
    }

    /**
     * Deliberate leak: the zip file is never closed and becomes unreachable on return. (The entry
     * stream is closed: the leak under test is the {@code ZipFile} itself.)
     */
    private static int zipWithoutClose(Path zipPath, String entryName) throws IOException {
        ZipFile zip = new ZipFile(zipPath.toFile());
        return readEntry(zip, entryName);
    }

    private static int zipAndClose(Path zipPath, String entryName) throws IOException {
        try (ZipFile zip = new ZipFile(zipPath.toFile())) {
            return readEntry(zip, entryName);
        }
    }

    private static int readEntry(ZipFile zip, String entryName) throws IOException {
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null) {
            throw new IOException("no entry " + entryName + " in " + zip.getName());
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readNBytes(READ_LIMIT).length;
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Resolves {@code ?name=}; on failure sends 400/404 and returns empty. */
    private Optional<Path> requestedFile(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = param(req, "name", "a");
        if (!ServiceData.isValidName(name)) {
            sendText(resp, HttpServletResponse.SC_BAD_REQUEST, "invalid name (expected [a-z0-9]+)");
            return Optional.empty();
        }
        Optional<Path> file = data.textFile(name);
        if (file.isEmpty()) {
            sendText(resp, HttpServletResponse.SC_NOT_FOUND, "no such file: " + name + ".txt");
        }
        return file;
    }

    private static String entryName(HttpServletRequest req) {
        return param(req, "name", "a") + ".txt";
    }

    private static void respondRead(HttpServletResponse resp, int bytes) throws IOException {
        sendText(resp, HttpServletResponse.SC_OK, "read " + bytes + " bytes");
    }
}
