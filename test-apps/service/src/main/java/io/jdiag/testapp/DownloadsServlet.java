package io.jdiag.testapp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Downstream responses read whole or streamed, mapped to {@code /downloads/*} (the {@code buffering}
 * detector). The downstream is this service itself: {@code GET /downloads/blob?mib=N} streams N MiB
 * (1..512), and each client endpoint fetches {@code /downloads/blob?mib=N} (default 12) over loopback.
 *
 * <ul>
 *   <li>{@code /downloads/jdk-whole}: JDK {@code HttpClient} with {@code BodyHandlers.ofByteArray}</li>
 *   <li>{@code /downloads/jdk-stream}: JDK {@code HttpClient} with {@code ofInputStream}, copied in chunks</li>
 *   <li>{@code /downloads/apache-whole}: Apache HttpClient 4, {@code EntityUtils.toByteArray}</li>
 *   <li>{@code /downloads/okhttp-whole}: OkHttp, {@code ResponseBody.bytes()}</li>
 *   <li>{@code /downloads/urlconnection-whole}: {@code HttpURLConnection}, {@code readAllBytes()}</li>
 * </ul>
 * They answer {@code 200 downloaded <N> bytes}. The methods the agent reports are named for what they
 * do ({@code jdkClientReadsWholeResponse}, ...); the integration tests look for them: do not rename.
 */
final class DownloadsServlet extends RoutedServlet {

    static final String MAPPING = "/downloads/*";
    private static final int CHUNK = 64 * 1024;
    private static final int MAX_MIB = 512;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Built on first use, like {@link ClientsServlet}'s: a service that never downloads starts no client. */
    private static final class Clients {
        final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        final CloseableHttpClient apache4 = HttpClients.custom().setDefaultRequestConfig(RequestConfig.custom()
                .setConnectTimeout((int) TIMEOUT.toMillis()).setSocketTimeout((int) TIMEOUT.toMillis())
                .setConnectionRequestTimeout((int) TIMEOUT.toMillis()).build()).build();
        final OkHttpClient okhttp = new OkHttpClient.Builder().connectTimeout(TIMEOUT).readTimeout(TIMEOUT).build();
    }

    private volatile Clients clients;

    DownloadsServlet() {
        super(MAPPING);
        get("/blob", "serves ?mib=N MiB (the downstream of the other endpoints)", this::blob);
        get("/jdk-whole", "JDK HttpClient reads a ?mib=N MiB response whole (ofByteArray)", this::jdkWhole);
        get("/jdk-stream", "JDK HttpClient streams a ?mib=N MiB response (ofInputStream)", this::jdkStream);
        get("/apache-whole", "Apache HttpClient 4 reads a ?mib=N MiB response whole (EntityUtils.toByteArray)", this::apacheWhole);
        get("/okhttp-whole", "OkHttp reads a ?mib=N MiB response whole (ResponseBody.bytes)", this::okhttpWhole);
        get("/urlconnection-whole", "HttpURLConnection reads a ?mib=N MiB response whole (readAllBytes)",
                this::urlConnectionWhole);
    }

    private Clients clients() {
        Clients c = clients;
        if (c == null) {
            synchronized (this) {
                c = clients;
                if (c == null) {
                    c = new Clients();
                    clients = c;
                }
            }
        }
        return c;
    }

    // ---- handlers -----------------------------------------------------------------------------------

    private void blob(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int mib = mib(req, resp);
        if (mib > 0) {
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType("application/octet-stream");
            resp.setContentLengthLong((long) mib << 20);
            byte[] chunk = new byte[CHUNK];
            OutputStream out = resp.getOutputStream();
            for (long sent = 0; sent < (long) mib << 20; sent += CHUNK) {
                out.write(chunk);
            }
        }
    }

    private void jdkWhole(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        download(req, resp, this::jdkClientReadsWholeResponse);
    }

    private void jdkStream(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        download(req, resp, this::jdkClientStreamsResponse);
    }

    private void apacheWhole(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        download(req, resp, this::apacheReadsWholeResponse);
    }

    private void okhttpWhole(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        download(req, resp, this::okhttpReadsWholeResponse);
    }

    private void urlConnectionWhole(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        download(req, resp, DownloadsServlet::urlConnectionReadsWholeResponse);
    }

    // ---- the code the agent observes ----------------------------------------------------------------

    private long jdkClientReadsWholeResponse(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).build();
        return clients().jdk.send(request, HttpResponse.BodyHandlers.ofByteArray()).body().length;
    }

    private long jdkClientStreamsResponse(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).build();
        try (InputStream body = clients().jdk.send(request, HttpResponse.BodyHandlers.ofInputStream()).body()) {
            return body.transferTo(OutputStream.nullOutputStream());
        }
    }

    private long apacheReadsWholeResponse(URI uri) throws IOException {
        try (CloseableHttpResponse response = clients().apache4.execute(new HttpGet(uri))) {
            return EntityUtils.toByteArray(response.getEntity()).length;
        }
    }

    private long okhttpReadsWholeResponse(URI uri) throws IOException {
        try (Response response = clients().okhttp.newCall(new Request.Builder().url(uri.toString()).build()).execute()) {
            return response.body().bytes().length;
        }
    }

    private static long urlConnectionReadsWholeResponse(URI uri) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout((int) TIMEOUT.toMillis());
        connection.setReadTimeout((int) TIMEOUT.toMillis());
        try (InputStream in = connection.getInputStream()) {
            return in.readAllBytes().length;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Download {
        long from(URI blob) throws IOException, InterruptedException;
    }

    private static void download(HttpServletRequest req, HttpServletResponse resp, Download download) throws IOException {
        int mib = mib(req, resp);
        if (mib <= 0) {
            return;
        }
        URI blob = URI.create("http://127.0.0.1:" + req.getLocalPort() + "/downloads/blob?mib=" + mib);
        long bytes;
        try {
            bytes = download.from(blob);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted downloading");
        }
        sendText(resp, HttpServletResponse.SC_OK, "downloaded " + bytes + " bytes");
    }

    /** {@code ?mib=} (default 12); on a bad value sends 400 and returns -1. */
    private static int mib(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int mib;
        try {
            mib = Integer.parseInt(param(req, "mib", "12"));
        } catch (NumberFormatException e) {
            mib = -1;
        }
        if (mib < 1 || mib > MAX_MIB) {
            sendText(resp, HttpServletResponse.SC_BAD_REQUEST, "expected ?mib=1.." + MAX_MIB);
            return -1;
        }
        return mib;
    }
}
