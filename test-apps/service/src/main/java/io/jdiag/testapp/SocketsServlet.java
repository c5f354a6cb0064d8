package io.jdiag.testapp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Socket leaks, mapped to {@code /sockets/*}. Connects to the service's own {@link LoopbackEchoServer}.
 *
 * <p>As in {@link FilesServlet}, the leaking variant opens the socket in a dedicated private method
 * ({@code connectWithoutClose}) whose name the tests look for in the agent's allocation stack, and the
 * socket becomes unreachable when it returns. Both endpoints round-trip a few bytes through the echo
 * server (so the connection is really used) and respond {@code 200 echoed <N> bytes}.
 */
final class SocketsServlet extends RoutedServlet {

    static final String MAPPING = "/sockets/*";

    private static final byte[] PING = "ping\n".getBytes(StandardCharsets.US_ASCII);
    /** Bounds the echo read so that a broken peer fails the request instead of hanging a worker thread. */
    private static final int READ_TIMEOUT_MS = 5_000;

    private final int echoPort;

    SocketsServlet(LoopbackEchoServer echoServer) {
        super(MAPPING);
        this.echoPort = echoServer.port();
        get("/leak", "Socket to the loopback echo server, never closed (leak)", this::leak);
        get("/close", "Socket to the loopback echo server, closed with try-with-resources", this::closing);
    }

    private void leak(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respondEchoed(resp, connectWithoutClose());
    }

    private void closing(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        respondEchoed(resp, connectAndClose());
    }

    /** Deliberate leak: the socket is never closed and becomes unreachable on return. */
    private int connectWithoutClose() throws IOException {
        Socket socket = new Socket("127.0.0.1", echoPort);
        return pingPong(socket);
    }

    private int connectAndClose() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", echoPort)) {
            return pingPong(socket);
        }
    }

    /** Sends {@link #PING} and reads the echo; returns the number of bytes echoed. */
    private static int pingPong(Socket socket) throws IOException {
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.getOutputStream().write(PING);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream(); // not closed here: closing it would close the socket
        return in.readNBytes(PING.length).length;
    }

    private static void respondEchoed(HttpServletResponse resp, int bytes) throws IOException {
        sendText(resp, HttpServletResponse.SC_OK, "echoed " + bytes + " bytes");
    }
}
