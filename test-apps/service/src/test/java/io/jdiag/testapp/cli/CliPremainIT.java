package io.jdiag.testapp.cli;

import io.jdiag.testapp.harness.Paths;
import io.jdiag.testapp.harness.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI against an agent started with {@code -javaagent}: found by pid (its endpoint published
 * asynchronously), attach says it is already there, and detach removes it too; and an endpoint
 * with basic auth, read with {@code --user}/{@code --password-file} or their environment variables.
 */
class CliPremainIT {
    @TempDir
    Path dir;

    @Test
    void statusAttachTwiceAndDetachOfAPremainAgent() throws IOException {
        try (ServiceProcess service = ServiceProcess.builder().javaAgent(Paths.agentJar(), "http.port=0").start()) {
            String pid = Long.toString(service.pid());

            Jdiag.Result status = Jdiag.run("status", pid);
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.stdout()).containsPattern("(?m)^mode:\\s+premain$");
            Matcher endpoint = Pattern.compile("(?m)^endpoint:\\s+(http://127\\.0\\.0\\.1:\\d+/)$").matcher(status.stdout());
            assertThat(endpoint.find()).as(status.toString()).isTrue();

            Jdiag.Result attach = Jdiag.run("attach", pid, "http.port=0");
            assertThat(attach.exitCode()).as(attach.toString()).isZero();
            assertThat(attach.stdout()).startsWith("jdiag: already attached to " + pid + " (endpoint " + endpoint.group(1) + ")");

            Jdiag.Result report = Jdiag.run("report", pid, "--json");
            assertThat(report.exitCode()).as(report.toString()).isZero();
            assertThat(report.stdout()).contains("\"schema\"", "jdiag-report/1", "\"premain\"");

            Jdiag.Result detach = Jdiag.run("detach", pid);
            assertThat(detach.exitCode()).as(detach.toString()).isZero();
            assertThat(Jdiag.run("status", pid).exitCode()).isEqualTo(1);
            assertThat(service.get("/health").status()).isEqualTo(200);
        }
    }

    @Test
    void endpointWithBasicAuth() throws IOException {
        Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
        Path wrong = Files.writeString(dir.resolve("wrong"), "guess\n");
        String options = "http.port=0,http.user=ops,http.password-file=" + password;
        try (ServiceProcess service = ServiceProcess.builder().javaAgent(Paths.agentJar(), options).start()) {
            String pid = Long.toString(service.pid());

            Jdiag.Result noLogin = Jdiag.run("report", pid);
            assertThat(noLogin.exitCode()).as(noLogin.toString()).isEqualTo(1);
            assertThat(noLogin.stderr()).isEqualTo("jdiag: the jdiag endpoint of " + pid + " requires a login;"
                    + " pass --user <name> --password-file <file> (or set JDIAG_HTTP_USER and JDIAG_HTTP_PASSWORD_FILE)\n");

            Jdiag.Result badLogin = Jdiag.run("status", pid, "--user", "ops", "--password-file", wrong.toString());
            assertThat(badLogin.exitCode()).isEqualTo(1);
            assertThat(badLogin.stderr()).startsWith("jdiag: the jdiag endpoint of " + pid + " rejected the login");

            Jdiag.Result status = Jdiag.run("status", pid, "--user", "ops", "--password-file", password.toString());
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.stdout()).containsPattern("(?m)^findings:\\s+\\d+");

            Jdiag.Result fromEnv = Jdiag.run(Map.of("JDIAG_HTTP_USER", "ops", "JDIAG_HTTP_PASSWORD_FILE", password.toString()),
                    List.of(), "report", pid, "--json");
            assertThat(fromEnv.exitCode()).as(fromEnv.toString()).isZero();
            assertThat(fromEnv.stdout()).contains("jdiag-report/1");
        }
    }
}
