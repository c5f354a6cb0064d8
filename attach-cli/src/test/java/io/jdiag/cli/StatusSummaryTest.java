package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusSummaryTest {

    @Test
    void summarisesDetectorsAndFindingsPerDetector() {
        String report = "{\"schema\":\"jdiag-report/1\",\"agent\":{\"version\":\"0.1.0\",\"detectors\":"
                + "{\"leaks\":true,\"pools\":false,\"http\":true}},\"findingsDropped\":0,\"findings\":["
                + "{\"detector\":\"leaks\",\"kind\":\"unclosed_resource\"},{\"detector\":\"http\"},{\"detector\":\"leaks\"}]}";
        StatusCommand.Summary s = StatusCommand.Summary.of(1, report);
        assertThat(s.detectors).isEqualTo("leaks on, pools off, http on");
        assertThat(s.findings).isEqualTo("3 (leaks 2, http 1)");
    }

    @Test
    void saysWhyADetectorFailed() {
        String report = "{\"agent\":{\"detectors\":{\"leaks\":true,\"pools\":false,\"blocking\":false},"
                + "\"detectorErrors\":{\"blocking\":\"failed to start: java.lang.IllegalStateException: x\"}},\"findings\":[]}";
        assertThat(StatusCommand.Summary.of(1, report).detectors)
                .isEqualTo("leaks on, pools off, blocking failed (failed to start: java.lang.IllegalStateException: x)");
    }

    @Test
    void saysWhenTheReportDroppedFindings() {
        StatusCommand.Summary s = StatusCommand.Summary.of(1, "{\"findingsDropped\":7,\"findings\":[]}");
        assertThat(s.findings).isEqualTo("0, 7 more dropped (report full)");
        assertThat(s.detectors).isEqualTo("none");
    }

    @Test
    void invalidJsonIsOneLine() {
        assertThatThrownBy(() -> StatusCommand.Summary.of(42, "<html>"))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("jdiag: the report of 42 is not valid JSON");
    }
}
