package io.jdiag.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Stand-in for the real agent's entry point in {@code CheckConfigTest}: the test packs this class
 * into a jar, as the real {@code AgentMain} is packed into {@code jdiag-agent.jar}. Records what
 * it was given and calls every setting starting with {@code bad} a problem.
 */
public final class AgentMain {
    public static final String SEEN_PROPERTY = "fake.agent.checked";

    private AgentMain() {}

    public static List<String> checkConfig(String args) {
        System.setProperty(SEEN_PROPERTY, args);
        List<String> problems = new ArrayList<>();
        for (String pair : args.split(",")) {
            if (pair.startsWith("bad")) {
                problems.add("jdiag: unknown config key '" + pair.split("=")[0] + "' (agent argument); ignored");
            }
        }
        return problems;
    }
}
