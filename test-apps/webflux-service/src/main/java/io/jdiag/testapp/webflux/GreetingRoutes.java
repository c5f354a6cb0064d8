package io.jdiag.testapp.webflux;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** A WebFlux functional route, nested under a path: {@code GET /fn/greetings/{name}}. */
@Configuration
public class GreetingRoutes {
    @Bean
    RouterFunction<ServerResponse> greetings() {
        return RouterFunctions.route()
                .path("/fn", b -> b.GET("/greetings/{name}",
                        request -> ServerResponse.ok().bodyValue("hello " + request.pathVariable("name"))))
                .build();
    }
}
