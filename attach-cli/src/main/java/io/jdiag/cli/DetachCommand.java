package io.jdiag.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jdiag detach <pid>}: the agent restores every class it transformed to its original
 * bytecode, stops its endpoint and threads and clears its properties; the JVM runs on.
 */
@Command(name = "detach", mixinStandardHelpOptions = true,
        description = {"Remove the jdiag agent from a JVM: original bytecode restored, endpoint and agent threads stopped.",
                "The JVM keeps running; a later attach works again."})
final class DetachCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PidParameter pid;

    @Mixin
    Options.AgentJarOption agentJar;

    @Override
    public Integer call() {
        long target = pid.pid();
        // The detach command reaches the running agent through a second load of its jar.
        Path jar = agentJar.locate();
        Jdk.requireAttachApi();
        try (TargetJvm vm = TargetJvm.attach(target)) {
            if (!vm.agentState().attached()) {
                throw new CliException("jdiag: jdiag is not attached to " + target + "; nothing to detach (`jdiag list`"
                        + " shows the JVMs that run it)");
            }
            vm.loadAgent(jar, "detach");
            if (vm.agentState().attached()) {
                throw new CliException("jdiag: the agent in " + target + " did not detach; its stderr has the reason"
                        + " (a 'jdiag:' line)");
            }
        }
        spec.commandLine().getOut().println("detached from " + target);
        return 0;
    }
}
