package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentStateTest {

    @Test
    void noVersionMeansNotAttached() {
        assertThat(AgentState.of(new Properties()).attached()).isFalse();
    }

    @Test
    void readsTheAgentsProperties() {
        AgentState s = AgentState.of(props("0.1.0", "attach", "http://127.0.0.1:9490/"));
        assertThat(s.attached()).isTrue();
        assertThat(s.mode).isEqualTo("attach");
        assertThat(s.endpointOff()).isFalse();
        assertThat(s.endpointUri()).isEqualTo(URI.create("http://127.0.0.1:9490/"));
    }

    @Test
    void premainAgentStillBindingShowsStarting() {
        AgentState s = AgentState.of(props("0.1.0", "premain", null));
        assertThat(s.endpointText()).isEqualTo("starting");
        assertThat(AgentState.of(props("0.1.0", "premain", "off")).endpointOff()).isTrue();
    }

    @Test
    void wildcardBindAddressesAreReachedThroughLoopback() {
        assertThat(AgentState.of(props("1", "attach", "http://0.0.0.0:9490/")).endpointUri())
                .isEqualTo(URI.create("http://127.0.0.1:9490/"));
        assertThat(AgentState.of(props("1", "attach", "http://[::]:9490/")).endpointUri())
                .isEqualTo(URI.create("http://[::1]:9490/"));
        assertThat(AgentState.of(props("1", "attach", "http://10.0.0.5:9490")).endpointUri())
                .isEqualTo(URI.create("http://10.0.0.5:9490/"));
    }

    private static Properties props(String version, String mode, String endpoint) {
        Properties p = new Properties();
        p.setProperty(AgentState.PROP_VERSION, version);
        p.setProperty(AgentState.PROP_MODE, mode);
        if (endpoint != null) {
            p.setProperty(AgentState.PROP_ENDPOINT, endpoint);
        }
        return p;
    }
}
