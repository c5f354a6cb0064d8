package io.jdiag.cli;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
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
 * {@code jdiag check-config [key=value...]}: validates settings with the agent's own rules (every
 * key, every value, the endpoint port free on this host) without touching any JVM. The rules are
 * the agent jar's, called in an isolated class loader: the CLI carries no copy that could drift.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Check agent settings (keys, values, the endpoint port free on this host) without touching any JVM.",
                "Prints each problem as the agent would, or 'configuration OK'."},
        footer = {"", "Example: jdiag check-config http.port=9490 pools.leak.threshold=20s"})
final class CheckConfigCommand implements Callable<Integer> {
    private static final String AGENT_MAIN = "io.jdiag.agent.AgentMain";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "key=value", description = "Agent settings, as for `jdiag attach`.")
    List<String> settings = new ArrayList<>();

    @Mixin
    Options.AgentJarOption agentJar;

    @Override
    public Integer call() {
        Path jar = agentJar.locate();
        String args = AgentArgs.join(AgentArgs.absolutePaths(settings, Paths.get("")));
        List<String> problems = check(jar, args);
        if (problems.isEmpty()) {
            spec.commandLine().getOut().println("configuration OK");
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        problems.forEach(err::println);
        err.flush();
        return CliException.EXIT_CODE;
    }

    @SuppressWarnings("unchecked")
    static List<String> check(Path agentJar, String args) {
        URL url;
        try {
            url = agentJar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new CliException("jdiag: cannot use the agent jar path " + agentJar + " (" + e.getMessage() + ")", e);
        }
        // Parent: the platform loader, so that only the agent jar's own classes are seen.
        URLClassLoader loader = new URLClassLoader(new URL[] {url}, ClassLoader.getPlatformClassLoader());
        try {
            Class<?> agentMain = Class.forName(AGENT_MAIN, true, loader);
            Object result = agentMain.getMethod("checkConfig", String.class).invoke(null, args);
            return new ArrayList<>((List<String>) result);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new CliException("jdiag: the agent jar " + agentJar + " failed to check the settings (" + cause
                    + "); rebuild it with `make build`", cause);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            throw new CliException("jdiag: " + agentJar + " is not a jdiag agent jar of this version (" + e
                    + "); rebuild it with `make build` or pass the right --agent-jar", e);
        } finally {
            try {
                loader.close();
            } catch (java.io.IOException ignored) {
                // only releases the jar file; the result is already in hand
            }
        }
    }
}
