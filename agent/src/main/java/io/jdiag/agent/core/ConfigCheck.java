package io.jdiag.agent.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * {@code jdiag check-config}: validates agent arguments exactly as the agent would, plus whether
 * the endpoint port is free on this host, without touching any JVM. The CLI runs it from the agent
 * jar in its own process ({@code AgentMain.checkConfig}), with the bootstrap hooks on a class loader
 * of their own, since the detectors that declare keys refer to them.
 */
public final class ConfigCheck {
    private ConfigCheck() {}

    /** @return one {@code jdiag:} line per problem; empty when the configuration is good */
    public static List<String> check(String agentArgs) {
        // The detectors are loaded (not started) as in the agent: they declare their own keys.
        DetectorCatalog catalog = DetectorCatalog.load(ConfigCheck.class.getClassLoader());
        Config config = Config.load(agentArgs, new Properties(), Collections.emptyMap(), ConfigSchema.of(catalog));
        List<String> problems = new ArrayList<>(config.problems());
        catalog.failures().forEach((name, cause) -> problems.add(DetectorStates.failureLine(name, cause)));
        int port = config.integer(CoreKeys.HTTP_PORT);
        if (port > 0) {
            String host = config.string(CoreKeys.HTTP_HOST);
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(host))) {
                probe.setReuseAddress(true);
            } catch (IOException e) {
                problems.add("jdiag: http.port=" + port + " (http.host=" + host + "): cannot bind here ("
                        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                        + "); pick a free port or http.port=0");
            }
        }
        return problems;
    }
}
