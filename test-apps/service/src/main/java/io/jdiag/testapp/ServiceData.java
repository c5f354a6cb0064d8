package io.jdiag.testapp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The per-process data directory the file endpoints work on.
 *
 * <p>Created under {@code java.io.tmpdir} at start so that concurrent service processes (parallel
 * integration tests) never share files, and deleted again at shutdown. It holds a few small text files
 * ({@code a.txt}, {@code b.txt}, {@code c.txt}) and one zip ({@code data.zip}) whose entries are copies of
 * those text files.
 */
final class ServiceData {

    /** Names accepted from requests; anything else (dots, slashes, ...) is rejected, so no path traversal. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+");

    /** The text files and their sizes: a few hundred bytes each, all different so responses tell them apart. */
    private static final String[] NAMES = {"a", "b", "c"};
    private static final int[] SIZES = {200, 300, 400};

    static final String ZIP_NAME = "data.zip";

    private final Path dir;

    private ServiceData(Path dir) {
        this.dir = dir;
    }

    static ServiceData create() throws IOException {
        Path dir = Files.createTempDirectory("jdiag-service-");
        ServiceData data = new ServiceData(dir);
        for (int i = 0; i < NAMES.length; i++) {
            Files.write(dir.resolve(NAMES[i] + ".txt"), content(NAMES[i], SIZES[i]));
        }
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(dir.resolve(ZIP_NAME)))) {
            for (String name : NAMES) {
                zip.putNextEntry(new ZipEntry(name + ".txt"));
                Files.copy(dir.resolve(name + ".txt"), (OutputStream) zip);
                zip.closeEntry();
            }
        }
        return data;
    }

    /** Printable, recognizable content of exactly {@code size} bytes. */
    private static byte[] content(String name, int size) {
        String line = "jdiag test data file " + name + ".txt\n";
        StringBuilder sb = new StringBuilder(size + line.length());
        while (sb.length() < size) {
            sb.append(line);
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    Path dir() {
        return dir;
    }

    /** The text file {@code <name>.txt}, if {@code name} is valid (see {@link #isValidName}) and it exists. */
    Optional<Path> textFile(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid name: " + name);
        }
        Path file = dir.resolve(name + ".txt");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The zip whose entries are {@code a.txt}, {@code b.txt}, {@code c.txt}. */
    Path zipFile() {
        return dir.resolve(ZIP_NAME);
    }

    /** Deletes the directory. Files leaked open by the endpoints don't prevent that on Linux/macOS. */
    void delete() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
