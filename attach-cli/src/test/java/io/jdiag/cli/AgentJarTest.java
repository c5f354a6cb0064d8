package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentJarTest {
    @TempDir
    Path dir;

    @Test
    void optionWinsOverEnvironmentAndLayout() throws IOException {
        Path option = touch(dir.resolve("a/jdiag-agent.jar"));
        Path env = touch(dir.resolve("b/jdiag-agent.jar"));
        assertThat(AgentJar.locate(option.toString(), env.toString(), null)).isEqualTo(option);
        assertThat(AgentJar.locate(null, env.toString(), null)).isEqualTo(env);
    }

    @Test
    void findsTheJarNextToTheCliJarFirst() throws IOException {
        Path cli = touch(dir.resolve("dist/jdiag-cli.jar"));
        Path next = touch(dir.resolve("dist/jdiag-agent.jar"));
        assertThat(AgentJar.locate(null, null, cli)).isEqualTo(next);
    }

    @Test
    void findsTheJarInTheRepositoryLayout() throws IOException {
        Path cli = touch(dir.resolve("attach-cli/target/jdiag-cli.jar"));
        Path agent = touch(dir.resolve("agent/target/jdiag-agent.jar"));
        assertThat(AgentJar.locate(null, "", cli)).isEqualTo(agent);
    }

    @Test
    void missingJarIsOneLineSayingWhereItLookedAndHowToFix() throws IOException {
        Path cli = touch(dir.resolve("attach-cli/target/jdiag-cli.jar"));
        assertThatThrownBy(() -> AgentJar.locate(null, null, cli))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("jdiag: agent jar not found")
                .hasMessageContaining(dir.resolve("agent/target/jdiag-agent.jar").toString())
                .hasMessageContaining("make build")
                .hasMessageContaining("--agent-jar")
                .hasMessageNotContaining("\n");
    }

    @Test
    void namedJarThatDoesNotExistSaysWhereTheNameCameFrom() {
        assertThatThrownBy(() -> AgentJar.locate(null, dir.resolve("nope.jar").toString(), null))
                .hasMessageStartingWith("jdiag: agent jar not found: " + dir.resolve("nope.jar"))
                .hasMessageContaining(AgentJar.ENV);
        assertThatThrownBy(() -> AgentJar.locate("rel/nope.jar", null, null))
                .hasMessageContaining("--agent-jar rel/nope.jar");
    }

    private static Path touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, new byte[] {1});
    }
}
