package io.jdiag.testapp.webflux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Entry point of the WebFlux test service: {@code java -jar jdiag-test-webflux-service.jar [--port N]},
 * Spring WebFlux on Reactor Netty. Prints {@value #LISTENING_PREFIX}{@code <port>} on stdout once listening.
 */
@SpringBootApplication
public class WebFluxServiceMain {
    public static final String LISTENING_PREFIX = "jdiag-test-webflux-service listening on port ";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(WebFluxServiceMain.class);
        app.setDefaultProperties(Map.of(
                "server.address", "127.0.0.1",
                "server.port", "8080",
                "spring.main.banner-mode", "off"));
        app.run(springArgs(args));
    }

    /** {@code --port N} (the harness's form) becomes Spring's {@code --server.port=N}. */
    static String[] springArgs(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                out.add("--server.port=" + args[++i]);
            } else {
                out.add(args[i]);
            }
        }
        return out.toArray(new String[0]);
    }

    @Bean
    ApplicationListener<WebServerInitializedEvent> announcePort() {
        return event -> {
            System.out.println(LISTENING_PREFIX + event.getWebServer().getPort());
            System.out.flush();
        };
    }
}
