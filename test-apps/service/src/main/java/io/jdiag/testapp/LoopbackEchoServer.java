package io.jdiag.testapp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny TCP echo server on 127.0.0.1 (ephemeral port), the peer for the socket endpoints.
 *
 * <p>It exists so that {@code /sockets/*} can open real connections without any outside network. The
 * server side is always well-behaved: each accepted connection is served by a daemon thread that echoes
 * bytes back until the client closes (EOF) and then closes its end. So a connection leaked by a client
 * stays fully established (no CLOSE_WAIT churn from our side) until the client socket is closed, either
 * explicitly or by the JDK's Cleaner after the leaked socket was garbage-collected.
 */
final class LoopbackEchoServer implements Closeable {

    private final ServerSocket serverSocket;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private volatile boolean closed;

    private LoopbackEchoServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
    }

    static LoopbackEchoServer start() throws IOException {
        // Bind to the IPv4 loopback literal explicitly: the clients connect to "127.0.0.1".
        ServerSocket ss = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
        LoopbackEchoServer server = new LoopbackEchoServer(ss);
        Thread acceptor = new Thread(server::acceptLoop, "echo-accept");
        acceptor.setDaemon(true); // must never keep the JVM alive
        acceptor.start();
        return server;
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("echo server: accept failed: " + e);
                }
                return;
            }
            connections.add(socket);
            Thread t = new Thread(() -> echo(socket), "echo-conn-" + connectionIds.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    private void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (SocketException e) {
            // Reset by the client or closed by close(): nothing to report for a test peer.
        } catch (IOException e) {
            System.err.println("echo server: connection failed: " + e);
        } finally {
            connections.remove(socket);
        }
    }

    /** Stops accepting and closes all server-side connections. */
    @Override
    public void close() throws IOException {
        closed = true;
        serverSocket.close();
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort at shutdown
            }
        }
    }
}
