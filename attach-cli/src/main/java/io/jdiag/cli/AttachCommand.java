package io.jdiag.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jdiag attach <pid> [key=value...]}: loads the agent into a running JVM. The agent then
 * retransforms the classes loaded before it (e.g. {@code FileInputStream}), so it works as with
 * {@code -javaagent}. A bad setting is refused by the agent as a whole and nothing is installed.
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {
                "Load the jdiag agent into a running JVM and print its endpoint.",
                "Settings are the agent's keys, as after -javaagent:jdiag-agent.jar=; a bad one fails the attach and"
                        + " leaves the JVM untouched. Attaching to a JVM that already runs jdiag says so and changes nothing."},
        footer = {"", "Example: jdiag attach 4242 http.port=9490 blocking.threads='worker-.*'"})
final class AttachCommand implements Callable<Integer> {
    /**
     * HotSpot's attach protocol (before JDK 24) caps one argument at 1024 bytes, and the agent
     * argument travels as {@code <jar path>=<settings>}.
     */
    static final int MAX_AGENT_ARGUMENT = 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    PidParameter pid;

    @Parameters(index = "1..*", paramLabel = "key=value", description = "Agent settings, e.g. http.port=0 leaks.enabled=false.")
    List<String> settings = new ArrayList<>();

    @Mixin
    Options.AgentJarOption agentJar;

    @Override
    public Integer call() {
        Debug.step("arguments parsed");
        long target = pid.pid();
        Path jar = agentJar.locate();
        String args = AgentArgs.join(AgentArgs.absolutePaths(settings, Paths.get("")));
        if (jar.toString().length() + 1 + args.length() > MAX_AGENT_ARGUMENT) {
            throw new CliException("jdiag: the settings are too long for the attach protocol (" + MAX_AGENT_ARGUMENT
                    + " characters with the agent jar path); put them in a properties file and pass config=<file>");
        }
        Jdk.requireAttachApi();
        PrintWriter out = spec.commandLine().getOut();
        try (TargetJvm vm = TargetJvm.attach(target)) {
            Debug.step("attached");
            AgentState before = vm.agentState();
            Debug.step("properties read");
            if (before.attached()) {
                out.println("jdiag: already attached to " + target + " (endpoint " + before.endpointText() + ")"
                        + (settings.isEmpty() ? "" : "; settings not applied, detach first to change them"));
                return 0;
            }
            String installedHooks = vm.systemProperties().getProperty(AgentState.PROP_BOOTSTRAP_FINGERPRINT);
            if (installedHooks != null) {
                String ourHooks = BootstrapHooks.fingerprint(jar);
                if (!installedHooks.equals(ourHooks)) {
                    throw new CliException(BootstrapHooks.mismatchLine(target, installedHooks, ourHooks));
                }
            }
            vm.loadAgent(jar, args);
            Debug.step("agent loaded and started");
            AgentState after = vm.agentState();
            if (!after.attached()) {
                // An agent may also refuse without throwing, leaving only its lines behind.
                String agentLines = vm.attachError();
                if (agentLines != null) {
                    throw vm.refused(agentLines, null);
                }
                throw new CliException("jdiag: the agent was loaded into " + target
                        + " but did not start; its stderr has the reason (a 'jdiag:' line)");
            }
            out.println("attached to " + target + ", endpoint " + after.endpointText());
            return 0;
        }
    }
}
