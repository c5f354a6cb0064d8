package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalJvmsTest {

    @Test
    void mainClassIsTheFirstWordOfTheCommandLine() {
        assertThat(LocalJvms.mainClass("com.example.App --port 8080", "42")).isEqualTo("com.example.App");
        assertThat(LocalJvms.mainClass("/srv/shop.jar", "42")).isEqualTo("/srv/shop.jar");
    }

    @Test
    void unknownCommandLineIsADash() {
        // The attach API shows the id when the JVM's command line is unknown.
        assertThat(LocalJvms.mainClass("42", "42")).isEqualTo("-");
        assertThat(LocalJvms.mainClass("", "42")).isEqualTo("-");
        assertThat(LocalJvms.mainClass(null, "42")).isEqualTo("-");
    }

    @Test
    void listsThisJvmsNeighboursButNotItself() {
        assertThat(LocalJvms.list()).noneMatch(e -> e.pid == ProcessHandle.current().pid());
    }
}
