package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void padsColumnsToTheWidestCell() {
        StringWriter out = new StringWriter();
        new Table().row("PID", "MAIN CLASS", "JDIAG").row("4242", "com.example.App", "yes").print(new PrintWriter(out));
        assertThat(out.toString()).isEqualTo(
                "PID   MAIN CLASS       JDIAG\n"
                        + "4242  com.example.App  yes\n");
    }

    @Test
    void keyValues() {
        StringWriter out = new StringWriter();
        new Table().row("pid", "1").row("endpoint", "off").printKeyValues(new PrintWriter(out));
        assertThat(out.toString()).isEqualTo("pid:       1\nendpoint:  off\n");
    }
}
