package io.jdiag.testapp.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/** A Spring MVC functional route: {@code GET /fn/greetings/{name}}. */
@Configuration
public class GreetingRoutes {
    @Bean
    RouterFunction<ServerResponse> greetings() {
        return RouterFunctions.route()
                .GET("/fn/greetings/{name}", request -> ServerResponse.ok().body("hello " + request.pathVariable("name")))
                .build();
    }
}
