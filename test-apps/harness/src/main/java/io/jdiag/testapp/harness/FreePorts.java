package io.jdiag.testapp.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Finds a free TCP port on the loopback interface.
 *
 * <p>Inherently racy (another process may take the port between this call and its use), so prefer
 * letting the server pick one ({@code --port 0}, as {@link ServiceProcess} does) and use this only where
 * a port must be known in advance, e.g. for an agent's own HTTP endpoint passed on its command line.
 */
public final class FreePorts {

    private FreePorts() {
    }

    public static int find() {
        try (ServerSocket socket = new ServerSocket()) {
            // SO_REUSEADDR before bind, so the port can be bound again right away despite TIME_WAIT.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }
}
