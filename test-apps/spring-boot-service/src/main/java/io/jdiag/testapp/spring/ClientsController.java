package io.jdiag.testapp.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * Outbound calls through Spring's {@link RestClient}, to this service's own {@code /health} on the
 * loopback interface: {@code /clients/{name}/no-timeout} over {@code HttpURLConnection} with its defaults
 * (no connect and no read timeout: {@link #callWithoutTimeouts}, the name the tests look for);
 * {@code /clients/{name}} (healthy) over the JDK {@code HttpClient} with a connect timeout and Spring's read
 * timeout, which Spring 6.2+ enforces with a timer around the response rather than {@code HttpRequest.timeout}.
 */
@RestController
public class ClientsController {
    private final RestClient withoutTimeouts = RestClient.builder()
            .requestFactory(new SimpleClientHttpRequestFactory())
            .build();
    private final RestClient withTimeouts = RestClient.builder()
            .requestFactory(timeouts())
            .build();

    private static JdkClientHttpRequestFactory timeouts() {
        JdkClientHttpRequestFactory f = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build());
        f.setReadTimeout(Duration.ofSeconds(10));
        return f;
    }

    @GetMapping("/clients/{name}/no-timeout")
    public String noTimeout(@PathVariable("name") String name, HttpServletRequest request) {
        return name + ": downstream " + callWithoutTimeouts(self(request));
    }

    @GetMapping("/clients/{name}")
    public String withTimeouts(@PathVariable("name") String name, HttpServletRequest request) {
        return name + ": downstream " + withTimeouts.get().uri(self(request)).retrieve().body(String.class);
    }

    String callWithoutTimeouts(String uri) {
        return withoutTimeouts.get().uri(uri).retrieve().body(String.class);
    }

    private static String self(HttpServletRequest request) {
        return "http://127.0.0.1:" + request.getLocalPort() + "/health";
    }
}
