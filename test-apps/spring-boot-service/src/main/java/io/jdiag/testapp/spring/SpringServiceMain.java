package io.jdiag.testapp.spring;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * Entry point of the Spring Boot test service, run as users run Spring Boot: {@code java -jar
 * jdiag-test-spring-boot-service.jar [--port N]} on the repackaged fat jar, so that the application's
 * classes and libraries are loaded by Spring Boot's nested-jar class loader.
 *
 * <p>Spring MVC controllers ({@link OrdersController}, {@link FilesController}, {@link ClientsController},
 * a functional route in {@link GreetingRoutes}) and a JAX-RS resource on Jersey ({@link ItemsResource},
 * under {@value #JAXRS_PATH}) share one embedded Tomcat. Once listening it prints
 * {@value #LISTENING_PREFIX}{@code <port>} on stdout, the line the test harness waits for.
 */
@SpringBootApplication
public class SpringServiceMain {
    public static final String LISTENING_PREFIX = "jdiag-test-spring-boot-service listening on port ";
    /** Jersey's servlet mapping (without {@code /*}): Spring MVC's DispatcherServlet keeps {@code /}. */
    public static final String JAXRS_PATH = "/jaxrs";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(SpringServiceMain.class);
        app.setDefaultProperties(java.util.Map.of(
                "server.address", "127.0.0.1",
                "server.port", "8080",
                "spring.jersey.application-path", JAXRS_PATH,
                "spring.main.banner-mode", "off",
                // Tomcat's worker threads by name, as the findings show them
                "server.tomcat.threads.max", "50"));
        app.run(springArgs(args));
    }

    /** {@code --port N} (the harness's form) becomes Spring's {@code --server.port=N}; the rest is passed on. */
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
