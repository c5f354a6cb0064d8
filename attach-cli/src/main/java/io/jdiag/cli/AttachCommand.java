package io.jdiag.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
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
        return attach(pid.pid(), agentJar.locate(), settings, spec.commandLine().getOut());
    }

    /**
     * The plain command line {@code attach <pid> [key=value...]} (no option, no {@code @file}, a
     * number as pid): its arguments, or null when it is anything else and picocli must parse it.
     *
     * <p>Why: building picocli's model of even one command (annotations read by reflection, each
     * through a generated proxy class, and its built-in converters) takes 120-250 ms of this
     * short-lived JVM, a third of the attach budget. For this one form picocli would do nothing
     * but take the words as they are, so the result is the same; every other form (options,
     * {@code --help}, a bad pid, {@code @argfile}, {@code --}) still goes through picocli, with
     * its messages.
     */
    static List<String> plainAttach(String[] args) {
        if (args.length < 2 || !"attach".equals(args[0]) || !isPid(args[1])) {
            return null;
        }
        List<String> settings = new ArrayList<>(args.length - 2);
        for (int i = 2; i < args.length; i++) {
            String word = args[i];
            if (word.isEmpty() || word.charAt(0) == '-' || word.charAt(0) == '@') {
                return null;
            }
            settings.add(word);
        }
        return settings;
    }

    /** Digits only, no leading zero, and a long: what {@link PidParameter} accepts without trimming. */
    private static boolean isPid(String word) {
        if (word.isEmpty() || word.length() > 18 || word.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Runs {@link #plainAttach} arguments as picocli would have: same output, lines and exit codes. */
    static int runPlain(String[] args, List<String> settings, java.io.PrintWriter out) {
        Debug.step("arguments parsed (plain attach)");
        return attach(Long.parseLong(args[1]), AgentJar.locate(null, System.getenv(AgentJar.ENV), AgentJar.cliLocation()),
                settings, out);
    }

    private static int attach(long target, Path jar, List<String> settings, PrintWriter out) {
        String args = AgentArgs.join(AgentArgs.absolutePaths(settings, Paths.get("")));
        if (jar.toString().length() + 1 + args.length() > MAX_AGENT_ARGUMENT) {
            throw new CliException("jdiag: the settings are too long for the attach protocol (" + MAX_AGENT_ARGUMENT
                    + " characters with the agent jar path); put them in a properties file and pass config=<file>");
        }
        Jdk.requireAttachApi();
        Debug.step("agent jar found");
        // A JVM with its attach socket open was attached to before, most likely by jdiag, and then
        // its bootstrap hooks must be compared with this jar's: start that (30-50 ms) now, beside the attach.
        BootstrapHooks.Fingerprint ourHooks = AttachWaker.socketOpen(target) ? BootstrapHooks.Fingerprint.start(jar) : null;
        try (TargetJvm vm = TargetJvm.attach(target)) {
            Debug.step("attached");
            Properties props = vm.systemProperties();
            AgentState before = AgentState.of(props);
            Debug.step("properties read");
            if (before.attached()) {
                out.println("jdiag: already attached to " + target + " (endpoint " + before.endpointText() + ")"
                        + (settings.isEmpty() ? "" : "; settings not applied, detach first to change them"));
                return 0;
            }
            String installedHooks = props.getProperty(AgentState.PROP_BOOTSTRAP_FINGERPRINT);
            if (installedHooks != null) {
                if (ourHooks == null) {
                    ourHooks = BootstrapHooks.Fingerprint.start(jar);
                }
                String ours = ourHooks.await();
                if (!installedHooks.equals(ours)) {
                    throw new CliException(BootstrapHooks.mismatchLine(target, installedHooks, ours));
                }
                Debug.step("bootstrap fingerprint compared");
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
        } finally {
            if (ourHooks != null) {
                ourHooks.awaitQuietly(); // it deletes its temporary file when done: don't exit before
            }
        }
    }
}
