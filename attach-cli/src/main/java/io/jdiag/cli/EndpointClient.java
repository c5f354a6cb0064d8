package io.jdiag.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * GETs from a target's jdiag endpoint (normally on loopback), with HTTP basic auth when the agent
 * was started with {@code http.user}/{@code http.password-file}.
 */
final class EndpointClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final long pid;
    private final URI base;
    private final String authorization;
    private final HttpClient http;

    /**
     * @param user         basic-auth user, or null
     * @param passwordFile file whose first line is the password (as for the agent's
     *                     {@code http.password-file}), or null
     */
    EndpointClient(long pid, URI base, String user, Path passwordFile) {
        this.pid = pid;
        this.base = base;
        this.authorization = user == null ? null : basicAuth(user, passwordFile);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // the JDK server speaks 1.1; skip the h2c upgrade attempt
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /** @return the body of a 200 response to {@code GET <endpoint><pathAndQuery>} */
    String get(String pathAndQuery) {
        URI uri = base.resolve(pathAndQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(REQUEST_TIMEOUT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new CliException("jdiag: connecting to the jdiag endpoint of " + pid + " at " + base
                    + " timed out; check that this host can reach that address", e);
        } catch (ConnectException e) {
            throw new CliException("jdiag: cannot connect to the jdiag endpoint of " + pid + " at " + base
                    + " (connection refused); the agent may be detaching, try `jdiag status " + pid + "`", e);
        } catch (HttpTimeoutException e) {
            throw new CliException("jdiag: GET " + uri + " got no answer within " + REQUEST_TIMEOUT.toSeconds()
                    + " s; the target may be overloaded, try again", e);
        } catch (IOException e) {
            throw new CliException("jdiag: GET " + uri + " failed (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("jdiag: interrupted during GET " + uri, e);
        }
        int status = response.statusCode();
        if (status == 401) {
            throw new CliException(authorization == null
                    ? "jdiag: the jdiag endpoint of " + pid + " requires a login; pass --user <name> --password-file <file>"
                    + " (or set JDIAG_HTTP_USER and JDIAG_HTTP_PASSWORD_FILE)"
                    : "jdiag: the jdiag endpoint of " + pid + " rejected the login; check --user and the first line of the --password-file");
        }
        if (status != 200) {
            throw new CliException("jdiag: GET " + uri + " answered HTTP " + status + firstLine(response.body()));
        }
        return response.body();
    }

    private static String basicAuth(String user, Path passwordFile) {
        if (passwordFile == null) {
            throw new CliException("jdiag: --user " + user + " needs --password-file <file> (the password on its first line)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(passwordFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("jdiag: cannot read the password file " + passwordFile + " (" + e.getMessage()
                    + "); fix the path or its permissions", e);
        }
        // Same rule as the agent's endpoint: the first line, trimmed.
        String password = lines.isEmpty() ? "" : lines.get(0).trim();
        String token = user + ":" + password;
        return "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    private static String firstLine(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String line = body.strip().split("\\R", 2)[0];
        return ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
    }
}
