package io.jdiag.testapp.spring;

import org.glassfish.jersey.server.ResourceConfig;
import org.springframework.stereotype.Component;

/** Jersey's application: resources registered by class (package scanning does not see into a nested jar). */
@Component
public class JerseyConfig extends ResourceConfig {
    public JerseyConfig() {
        register(ItemsResource.class);
    }
}
