package io.jdiag.testapp.buffering;

import io.jdiag.testapp.harness.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code POST}s a body of zeros of a given size to the service, streamed from a generator: the test JVM
 * never holds it, so a body of hundreds of MiB costs it nothing. The request declares its
 * {@code Content-Length}, as a browser's or curl's upload does.
 */
public final class Uploads {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Uploads() {
    }

    public static ServiceProcess.Response post(ServiceProcess service, String path, long bytes) {
        return post(service.baseUri(), path, bytes);
    }

    /** The same to another server of the service (its Netty port). */
    public static ServiceProcess.Response post(java.net.URI base, String path, long bytes) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(bytes)), bytes))
                .build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new ServiceProcess.Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted: POST " + path));
        }
    }

    /** {@code n} zero bytes, generated as they are read. */
    static final class Zeros extends InputStream {
        private long left;

        Zeros(long n) {
            this.left = n;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
