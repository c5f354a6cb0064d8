package io.jdiag.agent.detector.http;

import static io.jdiag.agent.detector.http.ClientTimeoutPolicy.CONNECT;
import static io.jdiag.agent.detector.http.ClientTimeoutPolicy.READ;
import static io.jdiag.agent.detector.http.ClientTimeoutPolicy.REQUEST;
import static io.jdiag.bootstrap.HttpClientHooks.UNSET;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The missing-timeout decision table, library by library, from each library's real defaults. */
class ClientTimeoutPolicyTest {

    @Test
    void jdkHttpClientHasConnectAndRequestTimeoutsButNoReadTimeout() {
        assertThat(ClientTimeoutPolicy.jdk(false, false)).isEqualTo(CONNECT | REQUEST); // HttpClient.newHttpClient() defaults
        assertThat(ClientTimeoutPolicy.jdk(true, false)).isEqualTo(REQUEST);
        assertThat(ClientTimeoutPolicy.jdk(false, true)).isEqualTo(CONNECT);
        assertThat(ClientTimeoutPolicy.jdk(true, true)).isZero();
    }

    @Test
    void urlConnectionFieldsFallBackToTheSunNetClientDefaults() {
        // never set (-1), no -Dsun.net.client.default*Timeout: the JDK default is infinite
        assertThat(ClientTimeoutPolicy.urlConnection(-1, -1, 0, 0)).isEqualTo(CONNECT | READ | REQUEST);
        // setConnectTimeout(0) / setReadTimeout(0): explicitly infinite, even with defaults configured
        assertThat(ClientTimeoutPolicy.urlConnection(0, 0, 5000, 5000)).isEqualTo(CONNECT | READ | REQUEST);
        // never set, but the properties give finite defaults
        assertThat(ClientTimeoutPolicy.urlConnection(-1, -1, 5000, 10000)).isZero();
        assertThat(ClientTimeoutPolicy.urlConnection(2000, 5000, 0, 0)).isZero();
        // a finite read timeout bounds the call: only connect missing
        assertThat(ClientTimeoutPolicy.urlConnection(-1, 5000, 0, 0)).isEqualTo(CONNECT);
        assertThat(ClientTimeoutPolicy.urlConnection(2000, -1, 0, -3)).isEqualTo(READ | REQUEST);
    }

    @Test
    void apache4UndefinedOrZeroIsInfiniteAndSocketTimeoutFallsBackToTheSocketConfig() {
        // HttpClients.createDefault(): RequestConfig.DEFAULT (-1, -1), SocketConfig.DEFAULT (soTimeout 0)
        assertThat(ClientTimeoutPolicy.apache4(-1, -1, 0)).isEqualTo(CONNECT | READ | REQUEST);
        assertThat(ClientTimeoutPolicy.apache4(0, 0, 0)).isEqualTo(CONNECT | READ | REQUEST);
        assertThat(ClientTimeoutPolicy.apache4(2000, 5000, 0)).isZero();
        // socket timeout undefined: the manager's SocketConfig soTimeout applies to new connections
        assertThat(ClientTimeoutPolicy.apache4(2000, -1, 5000)).isZero();
        // a request-level socket timeout of 0 overrides a finite SocketConfig
        assertThat(ClientTimeoutPolicy.apache4(2000, 0, 5000)).isEqualTo(READ | REQUEST);
        // unknown connection manager (-1): the library default (infinite) is assumed
        assertThat(ClientTimeoutPolicy.apache4(2000, -1, -1)).isEqualTo(READ | REQUEST);
        assertThat(ClientTimeoutPolicy.apache4(-1, 5000, -1)).isEqualTo(CONNECT);
    }

    @Test
    void apache5DefaultsAreFiniteThreeMinutesUnlessDisabled() {
        // HttpClients.createDefault(): nothing set anywhere → ConnectionConfig 3 min connect, SocketConfig 3 min soTimeout
        assertThat(ClientTimeoutPolicy.apache5(UNSET, UNSET, UNSET, UNSET, UNSET)).isZero();
        // Timeout.DISABLED (0) on the request config
        assertThat(ClientTimeoutPolicy.apache5(0, 0, UNSET, UNSET, UNSET)).isEqualTo(CONNECT | READ | REQUEST);
        // responseTimeout wins over the connection's socket timeouts, both ways
        assertThat(ClientTimeoutPolicy.apache5(UNSET, 0, 180_000, 30_000, 30_000)).isEqualTo(READ | REQUEST);
        assertThat(ClientTimeoutPolicy.apache5(UNSET, 5000, UNSET, 0, 0)).isZero();
        // ConnectionConfig socket timeout wins over SocketConfig soTimeout
        assertThat(ClientTimeoutPolicy.apache5(UNSET, UNSET, UNSET, 0, 30_000)).isEqualTo(READ | REQUEST);
        assertThat(ClientTimeoutPolicy.apache5(UNSET, UNSET, UNSET, 30_000, 0)).isZero();
        assertThat(ClientTimeoutPolicy.apache5(UNSET, UNSET, UNSET, UNSET, 0)).isEqualTo(READ | REQUEST);
        // connect: the (deprecated) request config value wins over ConnectionConfig
        assertThat(ClientTimeoutPolicy.apache5(UNSET, UNSET, 0, UNSET, UNSET)).isEqualTo(CONNECT);
        assertThat(ClientTimeoutPolicy.apache5(2000, UNSET, 0, UNSET, UNSET)).isZero();
        assertThat(ClientTimeoutPolicy.apache5(0, UNSET, 2000, UNSET, UNSET)).isEqualTo(CONNECT);
    }

    @Test
    void okhttpDefaultsAreTenSecondsAndOnlyZeroIsMissing() {
        assertThat(ClientTimeoutPolicy.okhttp(10_000, 10_000, 0, false)).isZero(); // new OkHttpClient()
        assertThat(ClientTimeoutPolicy.okhttp(0, 10_000, 0, false)).isEqualTo(CONNECT);
        assertThat(ClientTimeoutPolicy.okhttp(0, 0, 0, false)).isEqualTo(CONNECT | READ | REQUEST);
        // a call timeout bounds the whole call: the read timeout is still missing, the call cannot hang
        assertThat(ClientTimeoutPolicy.okhttp(10_000, 0, 5_000_000_000L, false)).isEqualTo(READ);
        assertThat(ClientTimeoutPolicy.okhttp(10_000, 0, 0, true)).isEqualTo(READ);
    }

    @Test
    void timeoutsTooLargeToEverFireCountAsMissing() {
        assertThat(ClientTimeoutPolicy.okhttp(Integer.MAX_VALUE, 10_000, 0, false)).isEqualTo(CONNECT);
        assertThat(ClientTimeoutPolicy.apache5(UNSET, Long.MAX_VALUE, UNSET, UNSET, UNSET)).isEqualTo(READ | REQUEST);
        assertThat(ClientTimeoutPolicy.apache4(Integer.MAX_VALUE - 1, 5000, 0)).isZero();
    }

    @Test
    void labelsAndWords() {
        assertThat(ClientTimeoutPolicy.labels(CONNECT | READ | REQUEST)).isEqualTo("connect,read,request");
        assertThat(ClientTimeoutPolicy.labels(READ)).isEqualTo("read");
        assertThat(ClientTimeoutPolicy.words(CONNECT | REQUEST)).isEqualTo("a connect timeout and an overall timeout");
        assertThat(ClientTimeoutPolicy.words(CONNECT | READ | REQUEST))
                .isEqualTo("a connect timeout, a read timeout and an overall timeout");
        assertThat(ClientTimeoutPolicy.words(READ)).isEqualTo("a read timeout");
    }
}
