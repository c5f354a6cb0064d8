package io.jdiag.agent.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** The keys of the core: configuration file, endpoint, report, event pipeline. Detectors declare their own. */
public final class CoreKeys {
    public static final ConfigKey CONFIG = new ConfigKey("config", ConfigKey.Type.STRING, null,
            "properties file with more keys (lowest precedence above defaults)");
    public static final ConfigKey HTTP_HOST = new ConfigKey("http.host", ConfigKey.Type.STRING, "127.0.0.1",
            "address the endpoint binds to");
    public static final ConfigKey HTTP_PORT = new ConfigKey("http.port", ConfigKey.Type.PORT, "9490",
            "endpoint port; 0 = any free port, off = no endpoint");
    public static final ConfigKey HTTP_USER = new ConfigKey("http.user", ConfigKey.Type.STRING, null,
            "basic-auth user required on every endpoint (with http.password-file)");
    public static final ConfigKey HTTP_PASSWORD_FILE = new ConfigKey("http.password-file", ConfigKey.Type.FILE, null,
            "file whose first line is the basic-auth password");
    public static final ConfigKey REPORT_DIR = new ConfigKey("report.dir", ConfigKey.Type.DIR, null,
            "also write the report there periodically and at JVM exit");
    public static final ConfigKey REPORT_INTERVAL = ConfigKey.duration("report.interval", "60s",
            "how often the report is written to report.dir");
    public static final ConfigKey REPORT_MAX_FINDINGS = ConfigKey.integer("report.max-findings", "500",
            "most findings kept; more are counted as dropped");
    public static final ConfigKey PREMAIN_WAIT = ConfigKey.bool("premain.wait", "false",
            "with -javaagent, hold the application's main until the detectors are installed (else they install beside it)");
    public static final ConfigKey EVENTS_QUEUE_CAPACITY = ConfigKey.integer("events.queue.capacity", "16384",
            "capacity of the queue from application threads to the agent thread");

    /** In the order problem lines and docs list them. */
    public static final List<ConfigKey> ALL = Collections.unmodifiableList(Arrays.asList(
            CONFIG, HTTP_HOST, HTTP_PORT, HTTP_USER, HTTP_PASSWORD_FILE,
            REPORT_DIR, REPORT_INTERVAL, REPORT_MAX_FINDINGS, PREMAIN_WAIT, EVENTS_QUEUE_CAPACITY));

    private CoreKeys() {}
}
