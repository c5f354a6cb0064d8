package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The {@code host} label: normalised, default ports filled in, capped with {@code other}. */
class ClientHostsTest {

    @Test
    void labelIsLowerCaseHostAndPortWithTheSchemeDefault() {
        ClientHosts hosts = new ClientHosts(50);
        assertThat(hosts.lookup("http", "Example.COM", -1).label).isEqualTo("example.com:80");
        assertThat(hosts.lookup("https", "api.example.com", -1).label).isEqualTo("api.example.com:443");
        assertThat(hosts.lookup("HTTPS", "api.example.com", 0).label).isEqualTo("api.example.com:443");
        assertThat(hosts.lookup("http", "127.0.0.1", 8080).label).isEqualTo("127.0.0.1:8080");
        assertThat(hosts.lookup("http", "::1", 8080).label).isEqualTo("[::1]:8080");
        assertThat(hosts.lookup("http", "[::1]", 8080).label).isEqualTo("[::1]:8080");
    }

    @Test
    void spellingsOfOneDownstreamShareOneEntry() {
        ClientHosts hosts = new ClientHosts(50);
        ClientHost a = hosts.lookup("http", "example.com", 80);
        assertThat(hosts.lookup("http", "EXAMPLE.com", -1)).isSameAs(a);
        assertThat(hosts.lookup("http", "example.com", -1)).isSameAs(a);
        assertThat(hosts.lookup("http", "example.com", 81)).isNotSameAs(a);
        assertThat(hosts.size()).isEqualTo(2);
    }

    @Test
    void repeatedLookupsReturnTheCachedEntry() {
        ClientHosts hosts = new ClientHosts(50);
        ClientHost first = hosts.lookup("http", "h", 1);
        for (int i = 0; i < 1000; i++) {
            assertThat(hosts.lookup("http", "h", 1)).isSameAs(first);
        }
    }

    @Test
    void beyondTheCapEveryNewHostIsOther() {
        ClientHosts hosts = new ClientHosts(3);
        for (int i = 0; i < 3; i++) {
            assertThat(hosts.lookup("http", "h" + i, 80).label).isEqualTo("h" + i + ":80");
        }
        for (int i = 3; i < 500; i++) {
            assertThat(hosts.lookup("http", "h" + i, 80).label).isEqualTo(ClientHosts.OTHER);
            assertThat(hosts.lookup("http", "h0", 1000 + i).label).isEqualTo(ClientHosts.OTHER);
        }
        // the first ones keep their labels
        assertThat(hosts.lookup("http", "h1", 80).label).isEqualTo("h1:80");
        assertThat(hosts.size()).isEqualTo(3);
        assertThat(hosts.all()).hasSize(4).extracting(h -> h.label).contains(ClientHosts.OTHER);
    }

    @Test
    void unknownHostIsOther() {
        ClientHosts hosts = new ClientHosts(3);
        assertThat(hosts.lookup("http", null, 80)).isSameAs(hosts.other());
        assertThat(hosts.lookup(null, "", -1)).isSameAs(hosts.other());
    }

    @Test
    void captureRateLimitIsATokenBucketPerClientAndMissingSet() {
        ClientHost h = new ClientHost("h:1");
        long t = -5_000_000_000L; // nanoTime may be negative
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (h.tryCapture(ClientKind.OKHTTP, 7, t)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(ClientHost.CAPTURE_BURST);
        // another client or another missing set has its own bucket
        assertThat(h.tryCapture(ClientKind.JDK, 7, t)).isTrue();
        assertThat(h.tryCapture(ClientKind.OKHTTP, 1, t)).isTrue();
        // one token back per interval
        assertThat(h.tryCapture(ClientKind.OKHTTP, 7, t + ClientHost.CAPTURE_INTERVAL_NANOS)).isTrue();
        assertThat(h.tryCapture(ClientKind.OKHTTP, 7, t + ClientHost.CAPTURE_INTERVAL_NANOS)).isFalse();
        // after a quiet second, a full burst again
        long later = t + 10_000_000_000L;
        allowed = 0;
        for (int i = 0; i < 100; i++) {
            if (h.tryCapture(ClientKind.OKHTTP, 7, later)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(ClientHost.CAPTURE_BURST);
    }

    @Test
    void statusSlots() {
        assertThat(ClientHost.statusLabel(ClientHost.statusSlot(200))).isEqualTo("200");
        assertThat(ClientHost.statusLabel(ClientHost.statusSlot(599))).isEqualTo("599");
        assertThat(ClientHost.statusLabel(ClientHost.statusSlot(-1))).isEqualTo("error");
        assertThat(ClientHost.statusLabel(ClientHost.statusSlot(0))).isEqualTo("error");
        assertThat(ClientHost.statusLabel(ClientHost.statusSlot(700))).isEqualTo("error");
    }
}
