package io.jdiag.testapp.spring;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Files, by method-level mappings only: {@code /files/{name}} reads and closes (healthy),
 * {@code /files/{name}/leak} opens a stream and never closes it ({@link #readWithoutClose}: the tests
 * look for this name in the finding's stack).
 */
@RestController
public class FilesController {
    static final Path DATA = data();

    private static Path data() {
        try {
            Path dir = Files.createTempDirectory("jdiag-spring-files");
            Files.writeString(dir.resolve("a.txt"), "hello from a file\n");
            dir.toFile().deleteOnExit();
            dir.resolve("a.txt").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @GetMapping("/files/{name}")
    public String read(@PathVariable("name") String name) throws IOException {
        try (InputStream in = new FileInputStream(DATA.resolve("a.txt").toFile())) {
            return name + ": " + in.read() + " first byte";
        }
    }

    @GetMapping("/files/{name}/leak")
    public String leak(@PathVariable("name") String name) throws IOException {
        return name + ": " + readWithoutClose() + " first byte";
    }

    static int readWithoutClose() throws IOException {
        InputStream in = new FileInputStream(DATA.resolve("a.txt").toFile());
        return in.read(); // never closed
    }
}
