package io.jdiag.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Option groups shared by several verbs (picocli mixins). */
final class Options {
    private Options() {}

    /** {@code --agent-jar}: for the verbs that load the agent jar (attach, detach, check-config). */
    static final class AgentJarOption {
        @Option(names = "--agent-jar", paramLabel = "<path>",
                description = "The agent jar (default: $" + AgentJar.ENV + ", else jdiag-agent.jar next to the CLI jar"
                        + " or in agent/target of this repository).")
        String path;

        Path locate() {
            return AgentJar.locate(path, System.getenv(AgentJar.ENV), AgentJar.cliLocation());
        }
    }

    /** Basic-auth login for an endpoint started with {@code http.user}/{@code http.password-file}. */
    static final class LoginOptions {
        @Option(names = "--user", paramLabel = "<name>", defaultValue = "${env:JDIAG_HTTP_USER}",
                description = "User for the endpoint's HTTP basic auth (default: $JDIAG_HTTP_USER).")
        String user;

        @Option(names = "--password-file", paramLabel = "<file>", defaultValue = "${env:JDIAG_HTTP_PASSWORD_FILE}",
                description = "File whose first line is the password (default: $JDIAG_HTTP_PASSWORD_FILE).")
        Path passwordFile;
    }
}
