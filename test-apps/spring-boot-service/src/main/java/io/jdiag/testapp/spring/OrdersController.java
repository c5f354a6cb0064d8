package io.jdiag.testapp.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Healthy routes with a class-level mapping and path variables: {@code /orders/{id}}, {@code /orders/{id}/lines/{line}}. */
@RestController
@RequestMapping("/orders")
public class OrdersController {

    @GetMapping("/{id}")
    public String order(@PathVariable("id") long id) {
        return "order " + id;
    }

    @GetMapping("/{id}/lines/{line}")
    public String line(@PathVariable("id") long id, @PathVariable("line") int line) {
        return "order " + id + " line " + line;
    }

    @GetMapping("/{id}/fail")
    public String fail(@PathVariable("id") long id) {
        throw new IllegalStateException("order " + id + " cannot be read");
    }
}
