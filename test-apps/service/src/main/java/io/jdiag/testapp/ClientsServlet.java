package io.jdiag.testapp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.util.Timeout;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Outbound HTTP calls, mapped to {@code /clients/*}: each of the five client libraries the agent knows
 * (JDK {@code HttpClient}, {@code HttpURLConnection}, Apache HttpClient 4 and 5, OkHttp) calls a
 * downstream on the loopback interface, with and without timeouts, and leaks or closes its responses.
 *
 * <p>Every endpoint takes {@code ?port=<n>}, the port of the downstream on {@code 127.0.0.1} (the
 * integration tests serve one; only loopback is ever called), and {@code ?delay=<ms>} (default 0, at
 * most 5000), how long the downstream waits before it answers: {@code GET /slow?ms=<delay>}, a 200 with
 * a body of a few KiB. They respond {@code 200 downstream <status>}; 400 without a valid port.
 *
 * <p>As in {@link FilesServlet}, the code the agent reports sits in dedicated methods whose names say
 * what they do ({@code okhttpClientWithoutTimeouts}, {@code apache4ResponseWithoutClose}, ...): the
 * integration tests look for these names in the findings' stacks, so do not rename them. The
 * calls "without timeouts" still complete, because the downstream answers. Leaking variants drop their
 * response without closing it or reading it to the end; they use clients with timeouts and pools large
 * enough (lease timeout 2 s) that a leaked connection never blocks the next call of a test.
 */
final class ClientsServlet extends RoutedServlet {

    static final String MAPPING = "/clients/*";
    private static final int MAX_DELAY_MS = 5_000;
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final int READ_TIMEOUT_MS = 10_000;
    /** A bound for the service's own waits on async calls: an async call without timeouts still must not hang a worker. */
    private static final long ASYNC_WAIT_SECONDS = 30;

    // ---- clients, shared like an application's -----------------------------------------------------

    /**
     * The clients, built on first use rather than at start-up, so that a service whose tests never call
     * {@code /clients/*} has no client threads or pools (the JDK client starts a selector thread).
     */
    private static final class Clients {
        /** {@code HttpClient.newHttpClient()} defaults: no connect timeout (and requests get none either). */
        private final HttpClient jdkWithoutTimeouts = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final HttpClient jdkWithTimeouts = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS)).build();

        /** {@code HttpClients.createDefault()}: no connect or socket timeout. */
        private final CloseableHttpClient apache4WithoutTimeouts = HttpClients.createDefault();
        private final CloseableHttpClient apache4WithTimeouts = HttpClients.custom()
                .setDefaultRequestConfig(RequestConfig.custom().setConnectTimeout(CONNECT_TIMEOUT_MS)
                        .setSocketTimeout(READ_TIMEOUT_MS).setConnectionRequestTimeout(CONNECT_TIMEOUT_MS).build())
                .setMaxConnTotal(200).setMaxConnPerRoute(200)
                .build();

        /**
         * Apache 5's defaults are finite (3 minutes); this one disables them the two usual ways: the pool's
         * {@code ConnectionConfig} connect timeout, and the request config's response timeout (which wins
         * over the pool's finite socket timeout).
         */
        private final org.apache.hc.client5.http.impl.classic.CloseableHttpClient apache5WithoutTimeouts =
                org.apache.hc.client5.http.impl.classic.HttpClients.custom()
                        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.DISABLED)
                                        .setSocketTimeout(Timeout.ofMilliseconds(READ_TIMEOUT_MS)).build())
                                .build())
                        .setDefaultRequestConfig(org.apache.hc.client5.http.config.RequestConfig.custom()
                                .setResponseTimeout(Timeout.DISABLED).build())
                        .build();
        private final org.apache.hc.client5.http.impl.classic.CloseableHttpClient apache5WithTimeouts =
                org.apache.hc.client5.http.impl.classic.HttpClients.custom()
                        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                .setMaxConnTotal(200).setMaxConnPerRoute(200)
                                .setDefaultConnectionConfig(ConnectionConfig.custom()
                                        .setConnectTimeout(Timeout.ofMilliseconds(CONNECT_TIMEOUT_MS))
                                        .setSocketTimeout(Timeout.ofMilliseconds(READ_TIMEOUT_MS)).build())
                                .build())
                        .setDefaultRequestConfig(org.apache.hc.client5.http.config.RequestConfig.custom()
                                .setConnectionRequestTimeout(Timeout.ofMilliseconds(CONNECT_TIMEOUT_MS))
                                .setResponseTimeout(Timeout.ofMilliseconds(READ_TIMEOUT_MS)).build())
                        .build();

        /**
         * OkHttp's defaults are finite (10 s); 0 turns them off. No call timeout here: a finite read timeout
         * already bounds the call, and a call timeout would keep a leaked call reachable (OkHttp's watchdog
         * holds it) until it fires, delaying the leak report by that long.
         */
        private final OkHttpClient okhttpWithTimeouts = new OkHttpClient.Builder()
                .connectTimeout(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .readTimeout(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .build();
        private final OkHttpClient okhttpWithoutTimeouts = okhttpWithTimeouts.newBuilder()
                .connectTimeout(0, TimeUnit.MILLISECONDS)
                .readTimeout(0, TimeUnit.MILLISECONDS)
                .callTimeout(0, TimeUnit.MILLISECONDS)
                .build();
    }

    private transient volatile Clients clients;

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

    ClientsServlet() {
        super(MAPPING);
        get("/jdk/no-timeouts", "JDK HttpClient without connect or request timeout", this::jdkNoTimeouts);
        get("/jdk/async-no-timeouts", "JDK HttpClient.sendAsync without timeouts", this::jdkAsyncNoTimeouts);
        get("/jdk/timeouts", "JDK HttpClient with connect and request timeouts", this::jdkTimeouts);

        get("/urlconnection/no-timeouts", "HttpURLConnection without connect or read timeout", this::urlConnectionNoTimeouts);
        get("/urlconnection/timeouts", "HttpURLConnection with connect and read timeouts", this::urlConnectionTimeouts);
        get("/urlconnection/leak", "HttpURLConnection response stream never closed (leak)", this::urlConnectionLeak);
        get("/urlconnection/close", "HttpURLConnection response stream closed", this::urlConnectionClose);
        get("/urlconnection/read-to-end", "HttpURLConnection response read to the end, not closed (released)",
                this::urlConnectionReadToEnd);

        get("/apache4/no-timeouts", "Apache HttpClient 4 defaults: no connect or socket timeout", this::apache4NoTimeouts);
        get("/apache4/timeouts", "Apache HttpClient 4 with connect and socket timeouts", this::apache4Timeouts);
        get("/apache4/leak", "Apache HttpClient 4 response never closed (leak)", this::apache4Leak);
        get("/apache4/close", "Apache HttpClient 4 response closed", this::apache4Close);
        get("/apache4/handler", "Apache HttpClient 4 response consumed by a ResponseHandler", this::apache4Handler);

        get("/apache5/no-timeouts", "Apache HttpClient 5 with its timeouts disabled", this::apache5NoTimeouts);
        get("/apache5/timeouts", "Apache HttpClient 5 with connect and response timeouts", this::apache5Timeouts);
        get("/apache5/leak", "Apache HttpClient 5 response never closed (leak)", this::apache5Leak);
        get("/apache5/close", "Apache HttpClient 5 response closed", this::apache5Close);
        get("/apache5/handler", "Apache HttpClient 5 response consumed by a response handler", this::apache5Handler);

        get("/okhttp/no-timeouts", "OkHttp with connect and read timeouts set to 0", this::okhttpNoTimeouts);
        get("/okhttp/async-no-timeouts", "OkHttp enqueue with connect and read timeouts set to 0", this::okhttpAsyncNoTimeouts);
        get("/okhttp/timeouts", "OkHttp with connect and read timeouts", this::okhttpTimeouts);
        get("/okhttp/leak", "OkHttp response never closed (leak)", this::okhttpLeak);
        get("/okhttp/close", "OkHttp Response closed", this::okhttpClose);
        get("/okhttp/close-body", "OkHttp ResponseBody closed", this::okhttpCloseBody);
    }

    // ---- handlers -----------------------------------------------------------------------------------

    private void jdkNoTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> jdkClientWithoutTimeouts(uri));
    }

    private void jdkAsyncNoTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> jdkAsyncClientWithoutTimeouts(uri));
    }

    private void jdkTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> jdkClientWithTimeouts(uri));
    }

    private void urlConnectionNoTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> urlConnectionWithoutTimeouts(uri.toURL()));
    }

    private void urlConnectionTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> urlConnectionWithTimeouts(uri.toURL()));
    }

    private void urlConnectionLeak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> urlConnectionResponseWithoutClose(uri.toURL()));
    }

    private void urlConnectionClose(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> urlConnectionResponseClosed(uri.toURL()));
    }

    private void urlConnectionReadToEnd(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> urlConnectionResponseReadToEnd(uri.toURL()));
    }

    private void apache4NoTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache4ClientWithoutTimeouts(uri));
    }

    private void apache4Timeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache4ClientWithTimeouts(uri));
    }

    private void apache4Leak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache4ResponseWithoutClose(uri));
    }

    private void apache4Close(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache4ResponseClosed(uri));
    }

    private void apache4Handler(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache4ResponseHandler(uri));
    }

    private void apache5NoTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache5ClientWithoutTimeouts(uri));
    }

    private void apache5Timeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache5ClientWithTimeouts(uri));
    }

    private void apache5Leak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache5ResponseWithoutClose(uri));
    }

    private void apache5Close(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache5ResponseClosed(uri));
    }

    private void apache5Handler(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> apache5ResponseHandler(uri));
    }

    private void okhttpNoTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> okhttpClientWithoutTimeouts(HttpUrl.get(uri)));
    }

    private void okhttpAsyncNoTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> okhttpAsyncClientWithoutTimeouts(HttpUrl.get(uri)));
    }

    private void okhttpTimeouts(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> okhttpClientWithTimeouts(HttpUrl.get(uri)));
    }

    private void okhttpLeak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> okhttpResponseWithoutClose(HttpUrl.get(uri)));
    }

    private void okhttpClose(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> okhttpResponseClosed(HttpUrl.get(uri)));
    }

    private void okhttpCloseBody(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        call(req, resp, uri -> okhttpResponseBodyClosed(HttpUrl.get(uri)));
    }

    // ---- the calls the agent observes: JDK HttpClient ----------------------------------------------

    /** No connect timeout on the client, no timeout on the request: the agent reports connect and request. */
    private int jdkClientWithoutTimeouts(URI uri) throws IOException, InterruptedException {
        return clients().jdkWithoutTimeouts.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** The same through sendAsync; the service bounds its own wait, but the request itself has no timeout. */
    private int jdkAsyncClientWithoutTimeouts(URI uri) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<String>> future =
                clients().jdkWithoutTimeouts.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        return await(future).statusCode();
    }

    private int jdkClientWithTimeouts(URI uri) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(READ_TIMEOUT_MS)).build();
        return clients().jdkWithTimeouts.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    // ---- HttpURLConnection --------------------------------------------------------------------------

    /** Neither timeout set: both default to infinite. The body is read and the stream closed. */
    private static int urlConnectionWithoutTimeouts(URL url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        try (InputStream in = connection.getInputStream()) {
            in.readAllBytes();
        }
        return connection.getResponseCode();
    }

    private static int urlConnectionWithTimeouts(URL url) throws IOException {
        HttpURLConnection connection = withTimeouts(url);
        try (InputStream in = connection.getInputStream()) {
            in.readAllBytes();
        }
        return connection.getResponseCode();
    }

    /** Deliberate leak: reads the status and a few bytes, never closes the stream nor disconnects. */
    private static int urlConnectionResponseWithoutClose(URL url) throws IOException {
        HttpURLConnection connection = withTimeouts(url);
        int status = connection.getResponseCode();
        connection.getInputStream().read(new byte[16]);
        return status;
    }

    private static int urlConnectionResponseClosed(URL url) throws IOException {
        HttpURLConnection connection = withTimeouts(url);
        int status = connection.getResponseCode();
        try (InputStream in = connection.getInputStream()) {
            in.read(new byte[16]);
        }
        return status;
    }

    /** Not closed, but read to the end: the JDK returns the connection to its keep-alive cache by itself. */
    private static int urlConnectionResponseReadToEnd(URL url) throws IOException {
        HttpURLConnection connection = withTimeouts(url);
        int status = connection.getResponseCode();
        InputStream in = connection.getInputStream();
        while (in.read(new byte[1024]) >= 0) {
            // drain
        }
        return status;
    }

    private static HttpURLConnection withTimeouts(URL url) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout(READ_TIMEOUT_MS);
        return connection;
    }

    // ---- Apache HttpClient 4 ------------------------------------------------------------------------

    private int apache4ClientWithoutTimeouts(URI uri) throws IOException {
        try (CloseableHttpResponse response = clients().apache4WithoutTimeouts.execute(new org.apache.http.client.methods.HttpGet(uri))) {
            EntityUtils.consume(response.getEntity());
            return response.getStatusLine().getStatusCode();
        }
    }

    private int apache4ClientWithTimeouts(URI uri) throws IOException {
        try (CloseableHttpResponse response = clients().apache4WithTimeouts.execute(new org.apache.http.client.methods.HttpGet(uri))) {
            EntityUtils.consume(response.getEntity());
            return response.getStatusLine().getStatusCode();
        }
    }

    /** Deliberate leak: the response (and its pooled connection) is never closed nor consumed. */
    private int apache4ResponseWithoutClose(URI uri) throws IOException {
        CloseableHttpResponse response = clients().apache4WithTimeouts.execute(new org.apache.http.client.methods.HttpGet(uri));
        return response.getStatusLine().getStatusCode();
    }

    /** Closed without reading the body: the connection is discarded, not leaked. */
    private int apache4ResponseClosed(URI uri) throws IOException {
        try (CloseableHttpResponse response = clients().apache4WithTimeouts.execute(new org.apache.http.client.methods.HttpGet(uri))) {
            return response.getStatusLine().getStatusCode();
        }
    }

    /** A ResponseHandler: execute consumes the entity itself. */
    private int apache4ResponseHandler(URI uri) throws IOException {
        return clients().apache4WithTimeouts.execute(new org.apache.http.client.methods.HttpGet(uri),
                response -> response.getStatusLine().getStatusCode());
    }

    // ---- Apache HttpClient 5 ------------------------------------------------------------------------

    private int apache5ClientWithoutTimeouts(URI uri) throws IOException {
        return clients().apache5WithoutTimeouts.execute(new HttpGet(uri), response -> {
            org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
            return response.getCode();
        });
    }

    private int apache5ClientWithTimeouts(URI uri) throws IOException {
        return clients().apache5WithTimeouts.execute(new HttpGet(uri), response -> {
            org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
            return response.getCode();
        });
    }

    /** Deliberate leak: the response (and its leased connection) is never closed nor consumed. */
    @SuppressWarnings("deprecation") // execute(request) returning the response: the API that lets a response leak
    private int apache5ResponseWithoutClose(URI uri) throws IOException {
        ClassicHttpResponse response = clients().apache5WithTimeouts.execute(new HttpGet(uri));
        return response.getCode();
    }

    @SuppressWarnings("deprecation")
    private int apache5ResponseClosed(URI uri) throws IOException {
        try (ClassicHttpResponse response = clients().apache5WithTimeouts.execute(new HttpGet(uri))) {
            return response.getCode();
        }
    }

    /** A response handler: execute consumes the entity and closes the response itself. */
    private int apache5ResponseHandler(URI uri) throws IOException {
        return clients().apache5WithTimeouts.execute(new HttpGet(uri), ClassicHttpResponse::getCode);
    }

    // ---- OkHttp -------------------------------------------------------------------------------------

    private int okhttpClientWithoutTimeouts(HttpUrl url) throws IOException {
        try (Response response = clients().okhttpWithoutTimeouts.newCall(new Request.Builder().url(url).build()).execute()) {
            response.body().string();
            return response.code();
        }
    }

    /** enqueue: the timeouts are decided on this thread, the call runs on OkHttp's dispatcher. */
    private int okhttpAsyncClientWithoutTimeouts(HttpUrl url) throws IOException, InterruptedException {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        clients().okhttpWithoutTimeouts.newCall(new Request.Builder().url(url).build()).enqueue(new Callback() {
            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    response.body().string();
                    status.complete(response.code());
                } catch (IOException e) {
                    status.completeExceptionally(e);
                }
            }

            @Override
            public void onFailure(Call call, IOException e) {
                status.completeExceptionally(e);
            }
        });
        return await(status);
    }

    private int okhttpClientWithTimeouts(HttpUrl url) throws IOException {
        try (Response response = clients().okhttpWithTimeouts.newCall(new Request.Builder().url(url).build()).execute()) {
            response.body().string();
            return response.code();
        }
    }

    /** Deliberate leak: neither the Response nor its body is closed. */
    private int okhttpResponseWithoutClose(HttpUrl url) throws IOException {
        Response response = clients().okhttpWithTimeouts.newCall(new Request.Builder().url(url).build()).execute();
        return response.code();
    }

    private int okhttpResponseClosed(HttpUrl url) throws IOException {
        try (Response response = clients().okhttpWithTimeouts.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.code();
        }
    }

    /** Closing the body alone releases the connection too. */
    private int okhttpResponseBodyClosed(HttpUrl url) throws IOException {
        Response response = clients().okhttpWithTimeouts.newCall(new Request.Builder().url(url).build()).execute();
        response.body().close();
        return response.code();
    }

    // ---- helpers ------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface DownstreamCall {
        int call(URI downstream) throws IOException, InterruptedException;
    }

    /** Validates {@code ?port} and {@code ?delay}, makes the call, answers {@code downstream <status>}. */
    private static void call(HttpServletRequest req, HttpServletResponse resp, DownstreamCall call) throws IOException {
        int port = intParam(req, "port", -1);
        int delay = intParam(req, "delay", 0);
        if (port < 1 || port > 65_535 || delay < 0 || delay > MAX_DELAY_MS) {
            sendText(resp, HttpServletResponse.SC_BAD_REQUEST,
                    "expected ?port=<downstream port on 127.0.0.1> and optional ?delay=<0.." + MAX_DELAY_MS + " ms>");
            return;
        }
        int status;
        try {
            status = call.call(URI.create("http://127.0.0.1:" + port + "/slow?ms=" + delay));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted calling the downstream");
        }
        sendText(resp, HttpServletResponse.SC_OK, "downstream " + status);
    }

    private static int intParam(HttpServletRequest req, String name, int defaultValue) {
        String value = param(req, name, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws IOException, InterruptedException {
        try {
            return future.get(ASYNC_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException("downstream did not answer in " + ASYNC_WAIT_SECONDS + " s", e);
        }
    }
}
