package io.jdiag.agent.detector.http;

import io.jdiag.bootstrap.HttpClientHooks;
import java.util.ArrayList;
import java.util.List;

/**
 * Which timeouts an outbound call lacks, decided from each library's real defaults and the call's
 * effective settings (as the advice read them). Pure functions of numbers: every rule is unit-tested
 * without a library on the class path.
 *
 * <p>The result is a bit set of the {@code timeout} label values:
 * <ul>
 *   <li>{@link #CONNECT}: establishing a connection has no finite limit of its own;</li>
 *   <li>{@link #READ}: a read from the socket (waiting for the response or the next body bytes) has no
 *       finite limit; not applicable to the JDK {@code HttpClient}, which has no read timeout;</li>
 *   <li>{@link #REQUEST}: nothing bounds the call as a whole: no overall call/request timeout and no
 *       finite read timeout, so a peer that stops answering blocks the caller forever.</li>
 * </ul>
 * A timeout too large to ever fire ({@link #EFFECTIVELY_INFINITE_MILLIS} or more) counts as missing.
 */
final class ClientTimeoutPolicy {
    static final int CONNECT = 1;
    static final int READ = 2;
    static final int REQUEST = 4;
    /** Label values by bit index. */
    static final String[] LABELS = {"connect", "read", "request"};

    /** Apache HttpClient 5: {@code ConnectionConfig} default connect timeout (3 minutes). */
    static final long APACHE5_DEFAULT_CONNECT_MILLIS = 180_000;
    /** Apache HttpCore 5: {@code SocketConfig} default {@code soTimeout} (3 minutes), the socket timeout of new connections. */
    static final long APACHE5_DEFAULT_SO_TIMEOUT_MILLIS = 180_000;
    /** {@code Integer.MAX_VALUE} ms, about 24.8 days: the largest socket timeout the JDK accepts; nothing times out later. */
    static final long EFFECTIVELY_INFINITE_MILLIS = Integer.MAX_VALUE;

    private ClientTimeoutPolicy() {}

    /**
     * {@code java.net.http.HttpClient}: connect timeout only if the client has one; no read timeout exists;
     * the request timeout ({@code HttpRequest.timeout()}) bounds the exchange up to the response headers.
     */
    static int jdk(boolean connectTimeout, boolean requestTimeout) {
        int missing = 0;
        if (!connectTimeout) {
            missing |= CONNECT;
        }
        if (!requestTimeout) {
            missing |= REQUEST;
        }
        return missing;
    }

    /**
     * {@code HttpURLConnection}: its fields are -1 when never set, and then the
     * {@code sun.net.client.defaultConnectTimeout}/{@code defaultReadTimeout} properties apply (a value
     * {@code <= 0}, the default, means infinite); an explicit 0 is infinite. Nothing bounds the call as a
     * whole, so a missing read timeout is also a missing request bound.
     *
     * @param defaultConnect the {@code sun.net.client.defaultConnectTimeout} property (0 when unset)
     * @param defaultRead    the {@code sun.net.client.defaultReadTimeout} property (0 when unset)
     */
    static int urlConnection(int connectTimeout, int readTimeout, int defaultConnect, int defaultRead) {
        int connect = connectTimeout >= 0 ? connectTimeout : defaultConnect;
        int read = readTimeout >= 0 ? readTimeout : defaultRead;
        return withoutOverallTimeout(connect, read);
    }

    /**
     * Apache HttpClient 4: {@code RequestConfig} timeouts are -1 (undefined) by default. The connect timeout
     * is used only when positive ({@code MainClientExec} connects with 0, infinite, otherwise). A socket
     * timeout of 0 is infinite; -1 leaves the socket with the connection manager's {@code SocketConfig}
     * {@code soTimeout}, 0 (infinite) by default. Version 4 has no overall timeout.
     *
     * @param soTimeout the connection manager's socket config timeout, -1 when not readable (then the
     *                  default, infinite, is assumed)
     */
    static int apache4(int connectTimeout, int socketTimeout, int soTimeout) {
        int read = socketTimeout >= 0 ? socketTimeout : Math.max(soTimeout, 0);
        return withoutOverallTimeout(connectTimeout, read);
    }

    /**
     * Apache HttpClient 5 (classic), in milliseconds, {@link HttpClientHooks#UNSET} for null/unreadable,
     * 0 for {@code Timeout.DISABLED} (infinite). The connect timeout is the request config's if set
     * (deprecated there), else the {@code ConnectionConfig}'s (default 3 minutes). The socket timeout a
     * request reads with is the request config's {@code responseTimeout} if set, else the
     * {@code ConnectionConfig} socket timeout if set, else the {@code SocketConfig} {@code soTimeout}
     * (default 3 minutes). The classic client has no overall timeout.
     */
    static int apache5(long connectTimeout, long responseTimeout, long connectionConnect, long connectionSocket,
                       long socketConfigSoTimeout) {
        long connect = firstSet(connectTimeout, connectionConnect, APACHE5_DEFAULT_CONNECT_MILLIS);
        long read = firstSet(responseTimeout, firstSet(connectionSocket, socketConfigSoTimeout,
                APACHE5_DEFAULT_SO_TIMEOUT_MILLIS), APACHE5_DEFAULT_SO_TIMEOUT_MILLIS);
        return withoutOverallTimeout(connect, read);
    }

    /**
     * OkHttp: connect, read and write timeouts default to 10 s; 0 means none. The call timeout (0 = none
     * by default) bounds the whole call, connection included; a finite read timeout bounds each wait.
     *
     * @param callTimeoutNanos the call's own timeout ({@code call.timeout().timeoutNanos()}), which starts
     *                         as the client's {@code callTimeoutMillis}
     * @param callDeadline     whether the call's timeout has a deadline
     */
    static int okhttp(int connectTimeoutMillis, int readTimeoutMillis, long callTimeoutNanos, boolean callDeadline) {
        int missing = 0;
        if (!finite(connectTimeoutMillis)) {
            missing |= CONNECT;
        }
        if (!finite(readTimeoutMillis)) {
            missing |= READ;
            if (callTimeoutNanos <= 0 && !callDeadline) {
                missing |= REQUEST;
            }
        }
        return missing;
    }

    /** For clients with no overall timeout: a missing read timeout means the call can hang forever. */
    private static int withoutOverallTimeout(long connect, long read) {
        int missing = 0;
        if (!finite(connect)) {
            missing |= CONNECT;
        }
        if (!finite(read)) {
            missing |= READ | REQUEST;
        }
        return missing;
    }

    private static boolean finite(long millis) {
        return millis > 0 && millis < EFFECTIVELY_INFINITE_MILLIS;
    }

    private static long firstSet(long first, long second, long otherwise) {
        return first != HttpClientHooks.UNSET ? first : second != HttpClientHooks.UNSET ? second : otherwise;
    }

    /** {@code connect,read,request} for the bits set, in that order. */
    static String labels(int missing) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < LABELS.length; i++) {
            if ((missing & (1 << i)) != 0) {
                out.append(out.length() == 0 ? "" : ",").append(LABELS[i]);
            }
        }
        return out.toString();
    }

    /** "a connect timeout, a read timeout and an overall timeout": the bits in words. */
    static String words(int missing) {
        List<String> parts = new ArrayList<>(3);
        if ((missing & CONNECT) != 0) {
            parts.add("a connect timeout");
        }
        if ((missing & READ) != 0) {
            parts.add("a read timeout");
        }
        if ((missing & REQUEST) != 0) {
            parts.add("an overall timeout");
        }
        if (parts.size() <= 1) {
            return parts.isEmpty() ? "" : parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }
}
