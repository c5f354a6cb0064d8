package io.jdiag.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jdiag report <pid> [--json]}: the agent's findings report, for people or as JSON. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Print the findings report of the jdiag agent in a JVM (text, or JSON with --json).")
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PidParameter pid;

    @Option(names = "--json", description = "The report as JSON (schema jdiag-report/1), as served at /report.")
    boolean json;

    @Mixin
    Options.LoginOptions login;

    @Override
    public Integer call() {
        long target = pid.pid();
        AgentState state = AgentLookup.require(target);
        EndpointClient client = new EndpointClient(target, AgentLookup.requireEndpoint(target, state),
                login.user, login.passwordFile);
        String body = client.get(json ? "report" : "report?format=text");
        PrintWriter out = spec.commandLine().getOut();
        out.print(body);
        if (!body.endsWith("\n")) {
            out.println();
        }
        out.flush();
        return 0;
    }
}
