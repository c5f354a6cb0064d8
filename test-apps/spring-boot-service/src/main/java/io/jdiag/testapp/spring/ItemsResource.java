package io.jdiag.testapp.spring;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A JAX-RS resource on Jersey, under {@link SpringServiceMain#JAXRS_PATH}: {@code /jaxrs/items/{id}} (healthy)
 * and {@code /jaxrs/items/{id}/leak}, which leaks a file stream in {@link #jaxrsReadWithoutClose}.
 */
@Path("/items")
@Produces(MediaType.TEXT_PLAIN)
public class ItemsResource {

    @GET
    @Path("/{id}")
    public String item(@PathParam("id") long id) {
        return "item " + id;
    }

    @GET
    @Path("/{id}/leak")
    public String leak(@PathParam("id") long id) throws IOException {
        return "item " + id + ": " + jaxrsReadWithoutClose();
    }

    static int jaxrsReadWithoutClose() throws IOException {
        InputStream in = new FileInputStream(FilesController.DATA.resolve("a.txt").toFile());
        return in.read(); // never closed
    }
}
