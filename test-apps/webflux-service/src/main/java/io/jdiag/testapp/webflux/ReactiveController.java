package io.jdiag.testapp.webflux;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Annotated WebFlux routes under a class-level mapping {@code /reactive}: {@code /reactive/orders/{id}}
 * (healthy), {@code /reactive/files/{name}} (reads and closes), {@code /reactive/files/{name}/leak}
 * (opens a stream on the event loop and never closes it: {@link #reactiveReadWithoutClose}),
 * {@code /reactive/clients/{name}} and {@code /reactive/clients/{name}/no-timeout} (the JDK client
 * calling the {@link Downstream}, with and without timeouts:
 * {@link #reactiveCallWithoutTimeouts}). The tests look for these method names in the findings.
 */
@RestController
@RequestMapping("/reactive")
public class ReactiveController {
    static final Path DATA = data();
    private final HttpClient withoutTimeouts = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final HttpClient withTimeouts = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Downstream downstream;

    public ReactiveController(Downstream downstream) {
        this.downstream = downstream;
    }

    private static Path data() {
        try {
            Path dir = Files.createTempDirectory("jdiag-webflux-files");
            Files.writeString(dir.resolve("a.txt"), "hello from a file\n");
            dir.toFile().deleteOnExit();
            dir.resolve("a.txt").toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @GetMapping("/health")
    public Mono<String> health() {
        return Mono.just("ok");
    }

    @GetMapping("/orders/{id}")
    public Mono<String> order(@PathVariable("id") long id) {
        return Mono.just("order " + id);
    }

    /** Healthy: the file is read off the event loop, on Reactor's scheduler for blocking work. */
    @GetMapping("/files/{name}")
    public Mono<String> read(@PathVariable("name") String name) {
        return Mono.fromCallable(() -> {
            try (InputStream in = new FileInputStream(DATA.resolve("a.txt").toFile())) {
                return name + ": " + in.read();
            }
        }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic());
    }

    /** Faulty twice: the stream is never closed, and it is read on the event loop (a blocking call). */
    @GetMapping("/files/{name}/leak")
    public Mono<String> leak(@PathVariable("name") String name) throws IOException {
        return Mono.just(name + ": " + reactiveReadWithoutClose());
    }

    static int reactiveReadWithoutClose() throws IOException {
        InputStream in = new FileInputStream(DATA.resolve("a.txt").toFile());
        return in.read(); // never closed
    }

    @GetMapping("/clients/{name}/no-timeout")
    public Mono<String> noTimeout(@PathVariable("name") String name) {
        return Mono.fromFuture(reactiveCallWithoutTimeouts(downstream.uri())).map(r -> name + ": downstream " + r.statusCode());
    }

    @GetMapping("/clients/{name}")
    public Mono<String> withTimeouts(@PathVariable("name") String name) {
        HttpRequest r = HttpRequest.newBuilder(downstream.uri()).timeout(Duration.ofSeconds(10)).build();
        return Mono.fromFuture(withTimeouts.sendAsync(r, HttpResponse.BodyHandlers.ofString()))
                .map(resp -> name + ": downstream " + resp.statusCode());
    }

    java.util.concurrent.CompletableFuture<HttpResponse<String>> reactiveCallWithoutTimeouts(URI uri) {
        return withoutTimeouts.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
