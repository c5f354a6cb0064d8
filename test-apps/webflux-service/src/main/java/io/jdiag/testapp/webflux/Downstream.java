package io.jdiag.testapp.webflux;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The service the outbound calls go to: a JDK HTTP server on a free loopback port inside this JVM,
 * answering {@code GET /ok} with {@code ok}. (Not this application's own Reactor Netty server: a call
 * back into the same event loops is not what an application does.)
 */
@Component
public class Downstream implements DisposableBean {
    private final HttpServer server;

    public Downstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ok");
    }

    @Override
    public void destroy() {
        server.stop(0);
    }
}
