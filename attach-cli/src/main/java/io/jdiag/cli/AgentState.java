package io.jdiag.cli;

import java.net.URI;
import java.util.Properties;

/**
 * The jdiag agent as seen through a target's system properties, which the agent sets once it
 * runs and clears on detach. This is how the CLI finds an agent and its endpoint by pid alone.
 */
final class AgentState {
    static final String PROP_VERSION = "io.jdiag.agent.version";
    static final String PROP_MODE = "io.jdiag.agent.mode";
    static final String PROP_ENDPOINT = "io.jdiag.agent.endpoint";
    /** Left by a failed attach: the agent's {@code jdiag:} problem line(s), joined with newlines. */
    static final String PROP_ATTACH_ERROR = "io.jdiag.agent.attach-error";
    /**
     * Set once per JVM by the first agent, never cleared: the fingerprint of the bootstrap hooks it
     * appended to the boot class path, which stay there after a detach.
     */
    static final String PROP_BOOTSTRAP_FINGERPRINT = "io.jdiag.bootstrap.fingerprint";

    /** {@code null} when no agent runs. */
    final String version;
    final String mode;
    /** {@code http://host:port/}, {@code off}, or {@code null} while a premain agent is still binding it. */
    final String endpoint;
    /** Main class or jar, from {@code sun.java.command}; may be empty. */
    final String command;

    private AgentState(String version, String mode, String endpoint, String command) {
        this.version = version;
        this.mode = mode;
        this.endpoint = endpoint;
        this.command = command;
    }

    static AgentState of(Properties props) {
        return new AgentState(props.getProperty(PROP_VERSION), props.getProperty(PROP_MODE),
                props.getProperty(PROP_ENDPOINT), props.getProperty("sun.java.command", ""));
    }

    boolean attached() {
        return version != null;
    }

    boolean endpointOff() {
        return "off".equals(endpoint);
    }

    /** The endpoint shown to users: the URL, {@code off}, or {@code starting} (premain, not bound yet). */
    String endpointText() {
        return endpoint == null ? "starting" : endpoint;
    }

    /**
     * Where to connect to the endpoint: a wildcard bind address ({@code 0.0.0.0}, {@code ::}) is
     * reached through loopback.
     */
    URI endpointUri() {
        URI uri = URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/");
        String host = uri.getHost();
        if ("0.0.0.0".equals(host)) {
            return URI.create(uri.getScheme() + "://127.0.0.1:" + uri.getPort() + "/");
        }
        if ("[::]".equals(host) || "[0:0:0:0:0:0:0:0]".equals(host)) {
            return URI.create(uri.getScheme() + "://[::1]:" + uri.getPort() + "/");
        }
        return uri;
    }
}
