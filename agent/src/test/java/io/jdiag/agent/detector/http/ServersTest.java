package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServersTest {
    @Test
    void requestsAndWorkerPoolsOfOneContainerGetOneServerLabel() {
        assertThat(Servers.of("org.eclipse.jetty.ee10.servlet.ServletApiRequest")).isEqualTo("jetty");
        assertThat(Servers.of("org.eclipse.jetty.util.thread.QueuedThreadPool")).isEqualTo("jetty");
        assertThat(Servers.of("org.apache.catalina.connector.RequestFacade")).isEqualTo("tomcat");
        assertThat(Servers.of("org.apache.tomcat.util.threads.ThreadPoolExecutor")).isEqualTo("tomcat");
        assertThat(Servers.of("io.undertow.servlet.spec.HttpServletRequestImpl")).isEqualTo("undertow");
        assertThat(Servers.of("com.example.MyRequestWrapper")).isEqualTo("servlet");
    }
}
