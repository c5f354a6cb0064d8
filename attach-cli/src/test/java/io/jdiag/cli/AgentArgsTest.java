package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class AgentArgsTest {

    @Test
    void joinsPairsWithCommas() {
        assertThat(AgentArgs.join(Arrays.asList("http.port=0", "leaks.enabled=false"))).isEqualTo("http.port=0,leaks.enabled=false");
        assertThat(AgentArgs.join(Collections.emptyList())).isEmpty();
    }

    @Test
    void quotesValuesHoldingCommas() {
        // What the shell leaves of blocking.threads='loop-(1,2)'
        assertThat(AgentArgs.join(Arrays.asList("blocking.threads=loop-(1,2)", "http.port=0")))
                .isEqualTo("blocking.threads='loop-(1,2)',http.port=0");
    }

    @Test
    void passesWordsAlreadyQuotedForTheAgentUnchanged() {
        assertThat(AgentArgs.quote("blocking.threads='a,b'")).isEqualTo("blocking.threads='a,b'");
        assertThat(AgentArgs.quote("blocking.threads=\"a,b\"")).isEqualTo("blocking.threads=\"a,b\"");
    }

    @Test
    void quotesAWordWithoutEqualsWhole() {
        assertThat(AgentArgs.quote("a,b")).isEqualTo("'a,b'");
        assertThat(AgentArgs.quote("nonsense")).isEqualTo("nonsense");
    }

    @Test
    void makesRelativePathSettingsAbsolute() {
        Path cwd = Path.of("/home/me/work");
        assertThat(AgentArgs.absolutePaths(Arrays.asList(
                "config=conf/jdiag.properties", "report.dir=../reports", "http.password-file=/etc/pw",
                "http.port=0", "blocking.threads=a/b"), cwd))
                .containsExactly("config=/home/me/work/conf/jdiag.properties", "report.dir=/home/me/reports",
                        "http.password-file=/etc/pw", "http.port=0", "blocking.threads=a/b");
    }

    @Test
    void leavesEmptyAndQuotedPathValuesAlone() {
        assertThat(AgentArgs.absolutePaths(Arrays.asList("config=", "report.dir='x y'"), Path.of("/w")))
                .containsExactly("config=", "report.dir='x y'");
    }
}
