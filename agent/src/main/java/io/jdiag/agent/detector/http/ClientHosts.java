package io.jdiag.agent.detector.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code host} label of client metrics: {@code host:port}, lower case, the port always given (80/443
 * when the URL has none), IPv6 literals in brackets. Bounded: the first {@link #DEFAULT_MAX_HOSTS}
 * distinct downstreams get their own label, every later one is {@code other}.
 *
 * <p>Lookups by the strings the advice passes are allocation-free once a host was seen: the raw host
 * string (exactly as the library holds it) maps to its ports' entries. Only the first sight of a host
 * builds its label, under a lock.
 */
final class ClientHosts {
    static final int DEFAULT_MAX_HOSTS = 50;
    static final String OTHER = "other";
    /** Raw host strings remembered for allocation-free lookups; beyond, lookups build the label each time (still bounded). */
    private static final int MAX_RAW_HOSTS_FACTOR = 4;
    /** Ports remembered per raw host string. */
    private static final int MAX_PORTS_PER_RAW_HOST = 8;

    private final int maxHosts;
    private final ConcurrentHashMap<String, ClientHost> byLabel = new ConcurrentHashMap<>();
    /** Raw host string → its known ports; copy-on-write arrays, read without locks. */
    private final ConcurrentHashMap<String, PortEntry[]> byRawHost = new ConcurrentHashMap<>();
    private final ClientHost other = new ClientHost(OTHER);

    ClientHosts(int maxHosts) {
        this.maxHosts = maxHosts;
    }

    /** One known port of a raw host string and the entry it maps to. */
    private static final class PortEntry {
        final int port;
        final ClientHost host;

        PortEntry(int port, ClientHost host) {
            this.port = port;
            this.host = host;
        }
    }

    /**
     * The entry of a downstream; {@code other} beyond the cap or when the host is unknown.
     *
     * @param port -1 or 0 when the URL has none: the scheme's default is used
     */
    ClientHost lookup(String scheme, String host, int port) {
        if (host == null || host.isEmpty()) {
            return other;
        }
        int p = port > 0 ? port : defaultPort(scheme);
        PortEntry[] known = byRawHost.get(host);
        if (known != null) {
            for (PortEntry e : known) {
                if (e.port == p) {
                    return e.host;
                }
            }
        }
        return firstSight(host, p);
    }

    private synchronized ClientHost firstSight(String rawHost, int port) {
        PortEntry[] known = byRawHost.get(rawHost);
        if (known != null) {
            for (PortEntry e : known) {
                if (e.port == port) {
                    return e.host;
                }
            }
        }
        String label = label(rawHost, port);
        ClientHost host = byLabel.get(label);
        if (host == null) {
            if (byLabel.size() < maxHosts) {
                host = new ClientHost(label);
                byLabel.put(label, host);
            } else {
                host = other;
            }
        }
        int size = known == null ? 0 : known.length;
        if (size < MAX_PORTS_PER_RAW_HOST && (known != null || byRawHost.size() < maxHosts * MAX_RAW_HOSTS_FACTOR)) {
            PortEntry[] grown = new PortEntry[size + 1];
            if (known != null) {
                System.arraycopy(known, 0, grown, 0, size);
            }
            grown[size] = new PortEntry(port, host);
            byRawHost.put(rawHost, grown);
        }
        return host;
    }

    /** {@code host:port}: lower case, IPv6 literals bracketed. */
    static String label(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        return h + ":" + port;
    }

    static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme) ? 443 : 80;
    }

    ClientHost other() {
        return other;
    }

    /** Every entry with its own label, then {@code other}; for the scrape. */
    List<ClientHost> all() {
        List<ClientHost> out = new ArrayList<>(byLabel.values());
        out.add(other);
        return out;
    }

    int size() {
        return byLabel.size();
    }
}
