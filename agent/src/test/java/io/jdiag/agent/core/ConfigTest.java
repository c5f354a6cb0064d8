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
    /**
     * A detector that brings its own keys, as every detector does: the core learns of them only
     * through {@link Detector#configKeys()}, and derives {@code fake.enabled}.
     */
    static class FakeDetector implements Detector {
        static final ConfigKey THRESHOLD = ConfigKey.duration("fake.threshold", "100ms", "a duration key");
        static final ConfigKey SIZE = ConfigKey.size("fake.size", "8MiB", "a size key");
        static final ConfigKey THREADS = ConfigKey.regex("fake.threads", null, "a regex key without default");
        static final ConfigKey RATE = ConfigKey.fraction("fake.rate", "1", "a fraction key");

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String description() {
            return "fake detector";
        }

        @Override
        public List<ConfigKey> configKeys() {
            return List.of(THRESHOLD, SIZE, THREADS, RATE);
        }

        @Override
        public List<TypeInstrumentation> instrumentations() {
            return List.of();
        }

        @Override
        public void start(DetectorContext context) {
        }

        @Override
        public void warmUp() {
        }

        @Override
        public void stop() {
        }
    }

    static final ConfigSchema SCHEMA = ConfigSchema.of(DetectorCatalog.of(List.of(new FakeDetector())));

    private static Config load(String args) {
        return Config.load(args, new Properties(), Map.of(), SCHEMA);
    }

    @Test
    void defaultsMatchTheSpec() {
        Config c = load(null);
        assertThat(c.problems()).isEmpty();
        assertThat(c.string(CoreKeys.HTTP_HOST)).isEqualTo("127.0.0.1");
        assertThat(c.integer(CoreKeys.HTTP_PORT)).isEqualTo(9490);
        assertThat(c.nanos(FakeDetector.THRESHOLD)).isEqualTo(100_000_000L);
        assertThat(c.bytes(FakeDetector.SIZE)).isEqualTo(8L * 1024 * 1024);
        assertThat(c.isSet(CoreKeys.REPORT_DIR)).isFalse();
        assertThat(c.isSet(FakeDetector.THREADS)).isFalse();
        assertThat(c.source(FakeDetector.THRESHOLD)).isEqualTo("default");
        assertThat(c.detectorEnabled("fake")).isTrue();
        assertThat(load("fake.enabled=false").detectorEnabled("fake")).isFalse();
        // every registered detector's keys read as their defaults through Config.defaults() too
        assertThat(Config.defaults().nanos(FakeDetector.THRESHOLD)).isEqualTo(100_000_000L);
    }

    @Test
    void agentArgumentsWinOverSystemPropertiesOverEnvironmentOverFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jdiag.properties");
        Files.writeString(file, "http.port=1001\nfake.rate=0.4\nreport.max-findings=7\nfake.size=1KiB\n");
        Properties sys = new Properties();
        sys.setProperty("jdiag.http.port", "1002");
        sys.setProperty("jdiag.fake.rate", "0.3");
        sys.setProperty("unrelated.property", "x");
        Map<String, String> env = Map.of("JDIAG_HTTP_PORT", "1003", "JDIAG_FAKE_RATE", "0.2",
                "JDIAG_REPORT_MAX_FINDINGS", "9", "JDIAG_CONFIG", file.toString(), "PATH", "/bin");
        Config c = Config.load("http.port=1004", sys, env, SCHEMA);
        assertThat(c.problems()).isEmpty();
        assertThat(c.integer(CoreKeys.HTTP_PORT)).isEqualTo(1004);
        assertThat(c.source(CoreKeys.HTTP_PORT)).isEqualTo("agent argument");
        assertThat(c.fraction(FakeDetector.RATE)).isEqualTo(0.3);
        assertThat(c.integer(CoreKeys.REPORT_MAX_FINDINGS)).isEqualTo(9);
        assertThat(c.bytes(FakeDetector.SIZE)).isEqualTo(1024);
        assertThat(c.source(FakeDetector.SIZE)).startsWith("config file ");
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
        Config c = load("fake.rate=2,fake.threshold=30,fake.size=8MB,http.port=70000,"
                + "fake.enabled=maybe,fake.threads=[a-,report.max-findings=-1");
        assertThat(c.problems()).hasSize(7).allMatch(l -> l.startsWith("jdiag: "));
        assertThat(c.problems()).anyMatch(l -> l.contains("fake.rate=2") && l.contains("using the default 1"));
        assertThat(c.problems()).anyMatch(l -> l.contains("fake.threshold=30") && l.contains("expected a duration"));
        assertThat(c.problems()).anyMatch(l -> l.contains("fake.size=8MB") && l.contains("expected a size"));
        assertThat(c.problems()).anyMatch(l -> l.contains("http.port=70000") && l.contains("using the default 9490"));
        assertThat(c.problems()).anyMatch(l -> l.contains("fake.threads=[a-") && l.contains("leaving it unset"));
        assertThat(c.fraction(FakeDetector.RATE)).isEqualTo(1.0);
        assertThat(c.nanos(FakeDetector.THRESHOLD)).isEqualTo(100_000_000L);
        assertThat(c.integer(CoreKeys.HTTP_PORT)).isEqualTo(9490);
        assertThat(c.detectorEnabled("fake")).isTrue();
        assertThat(c.isSet(FakeDetector.THREADS)).isFalse();
        assertThat(c.integer(CoreKeys.REPORT_MAX_FINDINGS)).isEqualTo(500);
    }

    @Test
    void unknownKeysAreNamedWithASuggestion() {
        Properties sys = new Properties();
        sys.setProperty("jdiag.fake.threshhold", "5s");
        Config c = Config.load("htp.port=1,,nonsense,fake.enabeld=false", sys, Map.of("JDIAG_NOPE", "1"), SCHEMA);
        assertThat(c.problems()).containsExactlyInAnyOrder(
                "jdiag: unknown config key 'htp.port' (agent argument); ignored (did you mean http.port?)",
                "jdiag: agent argument 'nonsense' is not key=value; ignored",
                "jdiag: unknown config key 'fake.enabeld' (agent argument); ignored (did you mean fake.enabled?)",
                "jdiag: unknown config key 'fake.threshhold' (system property jdiag.fake.threshhold); ignored"
                        + " (did you mean fake.threshold?)",
                "jdiag: unknown environment variable JDIAG_NOPE; ignored");
    }

    @Test
    void theToolsOwnVariablesAreNotConfigAndAttachRefusesOnlyArgumentProblems() {
        Properties sys = new Properties();
        sys.setProperty("jdiag.fake.rate", "7");
        Config c = Config.load("http.port=nope", sys,
                Map.of("JDIAG_AGENT_JAR", "/x.jar", "JDIAG_DEBUG", "1", "JDIAG_JAVA_OPTS", "-Xmx1g"), SCHEMA);
        assertThat(c.problems()).hasSize(2);
        assertThat(c.argumentProblems()).singleElement().asString().contains("http.port=nope");
    }

    @Test
    void quotedValuesMayHoldCommas() {
        Config c = load("fake.threads='loop-(1,2)',http.port=off");
        assertThat(c.problems()).isEmpty();
        assertThat(c.pattern(FakeDetector.THREADS).pattern()).isEqualTo("loop-(1,2)");
        assertThat(c.integer(CoreKeys.HTTP_PORT)).isEqualTo(-1);
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
        assertThat(userOnly.integer(CoreKeys.HTTP_PORT)).isEqualTo(-1);
        assertThat(userOnly.problems()).singleElement().asString().contains("must be set together");

        Config missingFile = load("http.user=ops,http.password-file=" + dir.resolve("nope"));
        assertThat(missingFile.integer(CoreKeys.HTTP_PORT)).isEqualTo(-1);
        assertThat(missingFile.problems()).hasSize(2);

        File pw = Files.writeString(dir.resolve("pw"), "secret\n").toFile();
        Config ok = load("http.user=ops,http.password-file=" + pw);
        assertThat(ok.problems()).isEmpty();
        assertThat(ok.integer(CoreKeys.HTTP_PORT)).isEqualTo(9490);
    }

    @Test
    void reportDirIsCreatedOrRefused(@TempDir Path dir) throws Exception {
        Config created = load("report.dir=" + dir.resolve("a/b"));
        assertThat(created.problems()).isEmpty();
        assertThat(dir.resolve("a/b")).isDirectory();
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Config refused = load("report.dir=" + file.resolve("sub"));
        assertThat(refused.problems()).singleElement().asString().contains("report.dir=");
        assertThat(refused.isSet(CoreKeys.REPORT_DIR)).isFalse();
    }

    @Test
    void everyKeyHasAnEnvironmentName() {
        assertThat(CoreKeys.HTTP_PASSWORD_FILE.envName()).isEqualTo("JDIAG_HTTP_PASSWORD_FILE");
        assertThat(ConfigKey.duration("leaks.long-open.threshold", "5m", "x").envName())
                .isEqualTo("JDIAG_LEAKS_LONG_OPEN_THRESHOLD");
    }

    @Test
    void aDefaultThatDoesNotParseIsRefusedWhereTheKeyIsDeclared() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigKey.duration("x.y", "10", "no unit"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The keys of a detector that failed to load are accepted without noise; its own line says it is off. */
    @Test
    void keysOfADetectorThatFailedToLoadRaiseNoUnknownKeyLines() {
        DetectorCatalog broken = DetectorCatalog.load(new ClassLoader(null) {
            @Override
            public java.util.Enumeration<java.net.URL> getResources(String name) throws java.io.IOException {
                Path f = Files.createTempFile("services", "");
                Files.writeString(f, "io.jdiag.agent.detector.gone.GoneDetector\n");
                return java.util.Collections.enumeration(List.of(f.toUri().toURL()));
            }
        });
        assertThat(broken.failures()).containsOnlyKeys("gone");
        assertThat(broken.failures().get("gone")).contains("ClassNotFoundException");
        Config c = Config.load("gone.enabled=false,gone.threshold=5s", new Properties(), Map.of("JDIAG_GONE_X", "1"),
                ConfigSchema.of(broken));
        assertThat(c.problems()).isEmpty();
        assertThat(c.detectorEnabled("gone")).isFalse();
    }

    /** What the registered detectors declare is what the schema holds, with one derived enabled key each. */
    @Test
    void theRegisteredDetectorsBringTheirKeys() {
        DetectorCatalog catalog = DetectorCatalog.load(ConfigTest.class.getClassLoader());
        assertThat(catalog.failures()).isEmpty();
        ConfigSchema schema = ConfigSchema.of(catalog);
        for (Detector d : catalog.detectors()) {
            assertThat(schema.byName(d.name() + ".enabled")).as(d.name()).isNotNull();
            for (ConfigKey k : d.configKeys()) {
                assertThat(schema.byName(k.key)).isSameAs(k);
            }
        }
        assertThat(schema.byName("leaks.sample.rate")).isNotNull();
    }
}
