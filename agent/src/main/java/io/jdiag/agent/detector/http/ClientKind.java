package io.jdiag.agent.detector.http;

import io.jdiag.bootstrap.HttpClientHooks;

/**
 * The HTTP client libraries the detector instruments: the {@code client} label of the client metrics,
 * and what a finding tells the user to change. Ordinals equal the {@link HttpClientHooks} constants.
 */
enum ClientKind {
    JDK("jdk", "java.net.http.HttpClient",
            "give the client a connect timeout (HttpClient.Builder.connectTimeout) and every request a timeout"
                    + " (HttpRequest.Builder.timeout), which bounds the whole exchange"),
    URLCONNECTION("urlconnection", "HttpURLConnection",
            "call setConnectTimeout and setReadTimeout with non-zero values before connecting (0 means infinite;"
                    + " unset falls back to -Dsun.net.client.defaultConnectTimeout/defaultReadTimeout, infinite by default)"),
    APACHE4("apache4", "Apache HttpClient 4",
            "set connectTimeout and socketTimeout on the client's default RequestConfig (HttpClientBuilder"
                    + ".setDefaultRequestConfig); a RequestConfig set on a request replaces the default entirely,"
                    + " so build it with RequestConfig.copy(default)"),
    APACHE5("apache5", "Apache HttpClient 5",
            "don't disable the timeouts: use a finite RequestConfig responseTimeout and ConnectionConfig"
                    + " connectTimeout/socketTimeout (Timeout.DISABLED and 0 mean infinite)"),
    OKHTTP("okhttp", "OkHttp",
            "keep connectTimeout and readTimeout finite (0 means infinite; the defaults are 10 s), or bound the"
                    + " whole call with callTimeout");

    static final ClientKind[] ALL = values();
    static final int COUNT = ALL.length;

    /** Metric label. */
    final String label;
    /** The API a user recognises, for summaries. */
    final String api;
    /** How to fix a missing timeout with this library. */
    final String fix;

    ClientKind(String label, String api, String fix) {
        this.label = label;
        this.api = api;
        this.fix = fix;
    }

    /** The kind for a hook constant; null for an unknown one. */
    static ClientKind of(int hookConstant) {
        return hookConstant >= 0 && hookConstant < COUNT ? ALL[hookConstant] : null;
    }
}
