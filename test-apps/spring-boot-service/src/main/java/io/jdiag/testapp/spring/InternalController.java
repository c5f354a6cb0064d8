package io.jdiag.testapp.spring;

import java.io.InputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /internal/resource}: a resource opened where no frame of this application's code is on the
 * stack. A pool thread runs Spring's {@code FileSystemResource.getInputStream} (a method reference,
 * so no frame of this class), and the stream is dropped unclosed. Its leak is found with a stack of
 * JDK and Spring frames only: the {@code library} finding of the tests, as a framework's own leak
 * would be.
 */
@RestController
public class InternalController {
    private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "internal-pool");
        t.setDaemon(true);
        return t;
    });

    @GetMapping("/internal/resource")
    public String resource() throws Exception {
        Resource resource = new FileSystemResource(FilesController.DATA.resolve("a.txt"));
        Future<InputStream> opened = pool.submit(resource::getInputStream);
        return "first byte " + opened.get().read(); // never closed
    }
}
