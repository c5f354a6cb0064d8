package io.jdiag.testapp.harness;


import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The test service running in a forked JVM, for integration tests (typically with the agent attached
 * through {@code -javaagent:}).
 *
 * <pre>{@code
 * try (ServiceProcess service = ServiceProcess.builder()
 *         .javaAgent(Paths.agentJar(), null)
 *         .start()) {
 *     assertThat(service.get("/files/leak").status()).isEqualTo(200);
 *     service.gc();
 *     ... service.stderr() ...
 * }
 * }</pre>
 *
 * <p>The service is started as {@code <java> [jvm args] -jar <service jar> --port 0 [service args]}; the
 * actual port is taken from the {@code "jdiag-test-<name> listening on port <n>"} line on its stdout
 * (every test app prints one; lines such as {@code "... netty listening on port"} are not it).
 * Both output streams are captured in memory for the whole life of the process.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The line the service prints once it listens (a complete line, so the port number is complete too). */
    private static final Pattern LISTENING =
            Pattern.compile("(?m)^jdiag-test-[a-z-]+ listening on port (\\d+)\\r?$");

    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #close()} waits after SIGTERM before killing the process. */
    private static final Duration TERMINATION_GRACE = Duration.ofSeconds(10);
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HTTP_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration HTTP_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Status and body of an HTTP response. */
    public record Response(int status, String body) {
    }

    private final Process process;
    private final Path javaHome;
    private final List<String> command;
    private final OutputCapture stdout;
    private final OutputCapture stderr;
    private final HttpClient http;
    private int port;

    private ServiceProcess(Process process, Path javaHome, List<String> command, boolean echoOutput) {
        this.process = process;
        this.javaHome = javaHome;
        this.command = List.copyOf(command);
        this.stdout = new OutputCapture(process.getInputStream(), "service-" + process.pid() + "-out",
                echoOutput ? System.out : null);
        this.stderr = new OutputCapture(process.getErrorStream(), "service-" + process.pid() + "-err",
                echoOutput ? System.err : null);
        this.http = HttpClient.newBuilder()
                // Plain HTTP/1.1: the JDK client would otherwise try an h2c upgrade on every request.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(HTTP_CONNECT_TIMEOUT)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the service with default settings and the given extra JVM arguments. */
    public static ServiceProcess start(String... jvmArgs) throws IOException {
        return builder().jvmArgs(jvmArgs).start();
    }

    /** Options for starting a {@link ServiceProcess}. */
    public static final class Builder {
        private Path javaHome = Paths.javaHome();
        private Path serviceJar = Paths.serviceJar();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> serviceArgs = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private boolean echoOutput;

        private Builder() {
        }

        /** JDK (or JRE) home whose {@code bin/java} runs the service and whose {@code bin/jcmd} is used by {@link #gc()}. */
        public Builder javaHome(Path javaHome) {
            this.javaHome = javaHome.toAbsolutePath().normalize();
            return this;
        }

        public Builder serviceJar(Path serviceJar) {
            this.serviceJar = serviceJar.toAbsolutePath().normalize();
            return this;
        }

        /** JVM arguments, placed before {@code -jar}. */
        public Builder jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        public Builder jvmArgs(List<String> args) {
            jvmArgs.addAll(args);
            return this;
        }

        /** Adds {@code -javaagent:<jar>[=<options>]}; {@code options} may be null. */
        public Builder javaAgent(Path agentJar, String options) {
            String arg = "-javaagent:" + agentJar.toAbsolutePath().normalize();
            jvmArgs.add(options == null || options.isEmpty() ? arg : arg + "=" + options);
            return this;
        }

        /** Arguments for the service itself, after {@code --port 0}. */
        public Builder serviceArgs(String... args) {
            serviceArgs.addAll(List.of(args));
            return this;
        }

        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Also copy the service's output, line-prefixed, to this JVM's stdout/stderr (for debugging). */
        public Builder echoOutput(boolean echo) {
            this.echoOutput = echo;
            return this;
        }

        /**
         * Starts the process and waits until it listens and, when it runs with {@code -javaagent}, until
         * the agent is installed.
         *
         * @throws IllegalStateException if it exits or doesn't announce its port in time; the message
         *                               contains the command line and everything captured so far
         */
        public ServiceProcess start() throws IOException {
            Path java = javaHome.resolve("bin").resolve("java");
            if (!Files.isExecutable(java)) {
                throw new IllegalStateException("no java executable at " + java);
            }
            Paths.requireFile(serviceJar, "run `mvn package` in the test app's module");
            List<String> command = new ArrayList<>();
            command.add(java.toString());
            command.addAll(jvmArgs);
            command.addAll(List.of("-jar", serviceJar.toString(), "--port", "0"));
            command.addAll(serviceArgs);

            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(environment);
            ServiceProcess service = new ServiceProcess(pb.start(), javaHome, command, echoOutput);
            try {
                service.awaitListening(startupTimeout);
                if (jvmArgs.stream().anyMatch(a -> a.startsWith("-javaagent:"))) {
                    service.awaitAgent(startupTimeout);
                }
            } catch (RuntimeException | Error e) {
                service.close();
                throw e;
            }
            return service;
        }
    }

    private void awaitListening(Duration timeout) {
        Optional<Matcher> match;
        try {
            match = stdout.await(LISTENING, timeout, () -> !process.isAlive());
            if (match.isEmpty() && !process.isAlive()) {
                // It exited: collect the rest of its output for the message (and catch a late line).
                stdout.awaitEof(Duration.ofSeconds(5));
                stderr.awaitEof(Duration.ofSeconds(5));
                match = stdout.await(LISTENING, Duration.ZERO, () -> true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(failureMessage("interrupted while waiting for the service to start"), e);
        }
        if (match.isPresent() && process.isAlive()) {
            port = Integer.parseInt(match.get().group(1));
            return;
        }
        String reason = process.isAlive()
                ? "service did not print its port within " + timeout.toSeconds() + "s"
                : "service exited with code " + process.exitValue() + " before listening";
        throw new IllegalStateException(failureMessage(reason));
    }

    private static final Pattern AGENT_ENDPOINT = Pattern.compile("io\\.jdiag\\.agent\\.endpoint=(\\S+)");

    /**
     * Waits (bounded) until the agent given with {@code -javaagent} is installed: it publishes its
     * endpoint ({@code off} too) once its detectors are, and premain does not hold the service's
     * {@code main} for that (unless {@code premain.wait=true}). A test drives traffic only then, as it
     * would after a hot attach. An agent that never gets there is left for the test to find out.
     */
    private void awaitAgent(Duration timeout) {
        try {
            awaitAgentEndpoint(timeout, endpoint -> true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Polls the endpoint the agent publishes in the service's system properties
     * ({@code jcmd VM.system_properties}, as the CLI finds it) until {@code accepted} takes it: a URL,
     * or {@code off}. Empty when the time is up or the service exited first.
     */
    public Optional<String> awaitAgentEndpoint(Duration timeout, Predicate<String> accepted) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher m = AGENT_ENDPOINT.matcher(jcmd("VM.system_properties"));
            if (m.find()) {
                // jcmd prints properties escaped as in a .properties file ("http\://...")
                String endpoint = m.group(1).replace("\\:", ":");
                if (accepted.test(endpoint)) {
                    return Optional.of(endpoint);
                }
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    private String failureMessage(String reason) {
        return reason + "\ncommand: " + String.join(" ", command)
                + "\n--- stdout ---\n" + stdout.text()
                + "\n--- stderr ---\n" + stderr.text();
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The JDK home the service runs on. */
    public Path javaHome() {
        return javaHome;
    }

    /** {@code http://127.0.0.1:<port>/} (the service binds to the loopback address by default). */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** Everything the service wrote to stdout so far. */
    public String stdout() {
        return stdout.text();
    }

    /** Everything the service wrote to stderr so far. */
    public String stderr() {
        return stderr.text();
    }

    /** Waits until {@code pattern} appears in the service's stdout; empty on timeout or exit. */
    public Optional<Matcher> awaitStdout(Pattern pattern, Duration timeout) throws InterruptedException {
        return stdout.await(pattern, timeout, () -> !process.isAlive());
    }

    /** Waits until {@code pattern} appears in the service's stderr; empty on timeout or exit. */
    public Optional<Matcher> awaitStderr(Pattern pattern, Duration timeout) throws InterruptedException {
        return stderr.await(pattern, timeout, () -> !process.isAlive());
    }

    /**
     * {@code GET} a path of the service, e.g. {@code get("/files/leak?name=b")}.
     *
     * @throws UncheckedIOException if the request fails or times out (connect 5s, request 30s)
     */
    public Response get(String pathAndQuery) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + pathAndQuery);
        }
        URI uri = baseUri().resolve(pathAndQuery);
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(HTTP_REQUEST_TIMEOUT).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted: GET " + uri));
        }
    }

    /** Runs a full GC in the service ({@code jcmd <pid> GC.run}), e.g. to make leaked resources collectable. */
    public void gc() {
        jcmd("GC.run");
    }

    /**
     * Runs {@code <javaHome>/bin/jcmd <pid> <args>} with the jcmd of the service's own JDK (the attach
     * protocol is only guaranteed between matching versions) and returns its output.
     *
     * @throws IllegalStateException if jcmd is missing (a JRE), fails, or takes longer than 60s
     */
    public String jcmd(String... args) {
        Path jcmd = javaHome.resolve("bin").resolve("jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IllegalStateException("no jcmd at " + jcmd + " (is " + javaHome + " a JDK?)");
        }
        List<String> cmd = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid())));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            OutputCapture out = new OutputCapture(p.getInputStream(), "jcmd-" + p.pid(), null);
            if (!p.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " timed out; output:\n" + out.text());
            }
            out.awaitEof(Duration.ofSeconds(5));
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " exited with " + p.exitValue() + "; output:\n" + out.text());
            }
            return out.text();
        } catch (IOException e) {
            throw new UncheckedIOException("running " + String.join(" ", cmd) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    /**
     * Stops the service: SIGTERM (the service shuts down cleanly), then SIGKILL if it is still alive after
     * 10s. Returns the exit code; 143 (128 + SIGTERM) is the normal result of a clean SIGTERM shutdown.
     */
    public int stop() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(TERMINATION_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(TERMINATION_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            // Let the capture threads read what was written right before exit.
            stdout.awaitEof(Duration.ofSeconds(5));
            stderr.awaitEof(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "ServiceProcess[pid=" + process.pid() + ", port=" + port + ", javaHome=" + javaHome + "]";
    }
}
