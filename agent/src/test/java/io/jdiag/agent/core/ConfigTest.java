package io.jdiag.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    private static Config load(String args) {
        return Config.load(args, new Properties(), Map.of());
    }

    @Test
    void defaultsMatchTheSpec() {
        Config c = Config.defaults();
        assertThat(c.problems()).isEmpty();
        assertThat(c.string(ConfigKey.HTTP_HOST)).isEqualTo("127.0.0.1");
        assertThat(c.integer(ConfigKey.HTTP_PORT)).isEqualTo(9490);
        assertThat(c.nanos(ConfigKey.POOLS_ACQUIRE_THRESHOLD)).isEqualTo(100_000_000L);
        assertThat(c.nanos(ConfigKey.POOLS_LEAK_THRESHOLD)).isEqualTo(30_000_000_000L);
        assertThat(c.fraction(ConfigKey.LEAKS_SAMPLE_RATE)).isEqualTo(1.0);
        assertThat(c.nanos(ConfigKey.BLOCKING_STALL_THRESHOLD)).isEqualTo(100_000_000L);
        assertThat(c.bytes(ConfigKey.BUFFERING_THRESHOLD)).isEqualTo(8L * 1024 * 1024);
        assertThat(c.nanos(ConfigKey.SERIALIZATION_THRESHOLD)).isEqualTo(50_000_000L);
        assertThat(c.isSet(ConfigKey.REPORT_DIR)).isFalse();
        assertThat(c.isSet(ConfigKey.BLOCKING_THREADS)).isFalse();
        for (String d : List.of("pools", "leaks", "blocking", "buffering", "serialization", "http")) {
            assertThat(c.detectorEnabled(d)).as(d).isTrue();
        }
    }

    @Test
    void agentArgumentsWinOverSystemPropertiesOverEnvironmentOverFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jdiag.properties");
        Files.writeString(file, "http.port=1001\nleaks.sample.rate=0.4\nreport.max-findings=7\nbuffering.threshold=1KiB\n");
        Properties sys = new Properties();
        sys.setProperty("jdiag.http.port", "1002");
        sys.setProperty("jdiag.leaks.sample.rate", "0.3");
        sys.setProperty("unrelated.property", "x");
        Map<String, String> env = Map.of("JDIAG_HTTP_PORT", "1003", "JDIAG_LEAKS_SAMPLE_RATE", "0.2",
                "JDIAG_REPORT_MAX_FINDINGS", "9", "JDIAG_CONFIG", file.toString(), "PATH", "/bin");
        Config c = Config.load("http.port=1004", sys, env);
        assertThat(c.problems()).isEmpty();
        assertThat(c.integer(ConfigKey.HTTP_PORT)).isEqualTo(1004);
        assertThat(c.source(ConfigKey.HTTP_PORT)).isEqualTo("agent argument");
        assertThat(c.fraction(ConfigKey.LEAKS_SAMPLE_RATE)).isEqualTo(0.3);
        assertThat(c.integer(ConfigKey.REPORT_MAX_FINDINGS)).isEqualTo(9);
        assertThat(c.bytes(ConfigKey.BUFFERING_THRESHOLD)).isEqualTo(1024);
        assertThat(c.source(ConfigKey.BUFFERING_THRESHOLD)).startsWith("config file ");
    }

    @Test
    void durationsAndSizesParse() {
        assertThat(ConfigKey.parseDurationNanos("250ms")).isEqualTo(250_000_000L);
        assertThat(ConfigKey.parseDurationNanos("20s")).isEqualTo(20_000_000_000L);
        assertThat(ConfigKey.parseDurationNanos("5m")).isEqualTo(300_000_000_000L);
        assertThat(ConfigKey.parseDurationNanos("1h")).isEqualTo(3_600_000_000_000L);
        assertThat(ConfigKey.parseSizeBytes("8MiB")).isEqualTo(8L << 20);
        assertThat(ConfigKey.parseSizeBytes("2GiB")).isEqualTo(2L << 30);
        assertThat(ConfigKey.parseSizeBytes("512KiB")).isEqualTo(512L << 10);
        assertThat(ConfigKey.parseSizeBytes("100")).isEqualTo(100);
        assertThat(ConfigKey.parseSizeBytes("100B")).isEqualTo(100);
    }

    @Test
    void badValuesFallBackToTheDefaultWithOneLineEach() {
        Config c = load("leaks.sample.rate=2,pools.leak.threshold=30,buffering.threshold=8MB,http.port=70000,"
                + "leaks.enabled=maybe,blocking.threads=[a-,report.max-findings=-1");
        assertThat(c.problems()).hasSize(7).allMatch(l -> l.startsWith("jdiag: "));
        assertThat(c.problems()).anyMatch(l -> l.contains("leaks.sample.rate=2") && l.contains("using the default 1"));
        assertThat(c.problems()).anyMatch(l -> l.contains("pools.leak.threshold=30") && l.contains("expected a duration"));
        assertThat(c.problems()).anyMatch(l -> l.contains("buffering.threshold=8MB") && l.contains("expected a size"));
        assertThat(c.problems()).anyMatch(l -> l.contains("http.port=70000") && l.contains("using the default 9490"));
        assertThat(c.problems()).anyMatch(l -> l.contains("blocking.threads=[a-") && l.contains("leaving it unset"));
        assertThat(c.fraction(ConfigKey.LEAKS_SAMPLE_RATE)).isEqualTo(1.0);
        assertThat(c.nanos(ConfigKey.POOLS_LEAK_THRESHOLD)).isEqualTo(30_000_000_000L);
        assertThat(c.integer(ConfigKey.HTTP_PORT)).isEqualTo(9490);
        assertThat(c.bool(ConfigKey.LEAKS_ENABLED)).isTrue();
        assertThat(c.isSet(ConfigKey.BLOCKING_THREADS)).isFalse();
        assertThat(c.integer(ConfigKey.REPORT_MAX_FINDINGS)).isEqualTo(500);
    }

    @Test
    void unknownKeysAreNamedWithASuggestion() {
        Properties sys = new Properties();
        sys.setProperty("jdiag.leaks.sampel.rate", "0.5");
        Config c = Config.load("htp.port=1,,nonsense", sys, Map.of("JDIAG_NOPE", "1"));
        assertThat(c.problems()).containsExactlyInAnyOrder(
                "jdiag: unknown config key 'htp.port' (agent argument); ignored (did you mean http.port?)",
                "jdiag: agent argument 'nonsense' is not key=value; ignored",
                "jdiag: unknown config key 'leaks.sampel.rate' (system property jdiag.leaks.sampel.rate); ignored"
                        + " (did you mean leaks.sample.rate?)",
                "jdiag: unknown environment variable JDIAG_NOPE; ignored");
    }

    @Test
    void theToolsOwnVariablesAreNotConfigAndAttachRefusesOnlyArgumentProblems() {
        Properties sys = new Properties();
        sys.setProperty("jdiag.leaks.sample.rate", "7");
        Config c = Config.load("http.port=nope", sys,
                Map.of("JDIAG_AGENT_JAR", "/x.jar", "JDIAG_DEBUG", "1", "JDIAG_JAVA_OPTS", "-Xmx1g"));
        assertThat(c.problems()).hasSize(2);
        assertThat(c.argumentProblems()).singleElement().asString().contains("http.port=nope");
    }

    @Test
    void quotedValuesMayHoldCommas() {
        Config c = load("blocking.threads='loop-(1,2)',http.port=off");
        assertThat(c.problems()).isEmpty();
        assertThat(c.pattern(ConfigKey.BLOCKING_THREADS).pattern()).isEqualTo("loop-(1,2)");
        assertThat(c.integer(ConfigKey.HTTP_PORT)).isEqualTo(-1);
    }

    @Test
    void unreadableConfigFileIsOneLine(@TempDir Path dir) {
        Config c = load("config=" + dir.resolve("missing.properties"));
        assertThat(c.problems()).singleElement().asString()
                .startsWith("jdiag: config=" + dir.resolve("missing.properties") + ": cannot read the file");
    }

    @Test
    void authNeedsBothUserAndPasswordFileElseTheEndpointStaysOff(@TempDir Path dir) throws Exception {
        Config userOnly = load("http.user=ops");
        assertThat(userOnly.integer(ConfigKey.HTTP_PORT)).isEqualTo(-1);
        assertThat(userOnly.problems()).singleElement().asString().contains("must be set together");

        Config missingFile = load("http.user=ops,http.password-file=" + dir.resolve("nope"));
        assertThat(missingFile.integer(ConfigKey.HTTP_PORT)).isEqualTo(-1);
        assertThat(missingFile.problems()).hasSize(2);

        File pw = Files.writeString(dir.resolve("pw"), "secret\n").toFile();
        Config ok = load("http.user=ops,http.password-file=" + pw);
        assertThat(ok.problems()).isEmpty();
        assertThat(ok.integer(ConfigKey.HTTP_PORT)).isEqualTo(9490);
    }

    @Test
    void reportDirIsCreatedOrRefused(@TempDir Path dir) throws Exception {
        Config created = load("report.dir=" + dir.resolve("a/b"));
        assertThat(created.problems()).isEmpty();
        assertThat(dir.resolve("a/b")).isDirectory();
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Config refused = load("report.dir=" + file.resolve("sub"));
        assertThat(refused.problems()).singleElement().asString().contains("report.dir=");
        assertThat(refused.isSet(ConfigKey.REPORT_DIR)).isFalse();
    }

    @Test
    void everyKeyHasAnEnvironmentName() {
        assertThat(ConfigKey.HTTP_PASSWORD_FILE.envName()).isEqualTo("JDIAG_HTTP_PASSWORD_FILE");
        assertThat(ConfigKey.LEAKS_LONG_OPEN_THRESHOLD.envName()).isEqualTo("JDIAG_LEAKS_LONG_OPEN_THRESHOLD");
        for (ConfigKey k : ConfigKey.values()) {
            if (k.defaultValue != null) {
                k.parse(k.defaultValue); // every default is valid for its own type
            }
        }
    }
}
