package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.bootstrap.HttpClientHooks;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;

/** Reading a pooling manager's private configs from the real Apache HttpClient 5 (the version the agent compiles against). */
class ClientApache5ConfigsTest {
    private final ClientApache5Configs configs = new ClientApache5Configs();

    @Test
    void defaultPoolingManagerHasNoConfigs() throws Exception {
        try (PoolingHttpClientConnectionManager m = PoolingHttpClientConnectionManagerBuilder.create().build()) {
            ClientApache5Configs.Resolved r = configs.read(m);
            assertThat(r.connectTimeout).isEqualTo(HttpClientHooks.UNSET);
            assertThat(r.socketTimeout).isEqualTo(HttpClientHooks.UNSET);
            assertThat(r.soTimeout).isEqualTo(HttpClientHooks.UNSET);
        }
    }

    @Test
    void builderConfigsAreRead() throws Exception {
        try (PoolingHttpClientConnectionManager m = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.DISABLED).setSocketTimeout(Timeout.ofSeconds(7)).build())
                .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(Timeout.ofSeconds(9)).build())
                .build()) {
            ClientApache5Configs.Resolved r = configs.read(m);
            assertThat(r.connectTimeout).isZero();
            assertThat(r.socketTimeout).isEqualTo(7000);
            assertThat(r.soTimeout).isEqualTo(9000);
            assertThat(configs.read(m)).as("cached while the resolvers are the same").isSameAs(r);
            assertThat(ClientTimeoutPolicy.apache5(HttpClientHooks.UNSET, HttpClientHooks.UNSET, r.connectTimeout,
                    r.socketTimeout, r.soTimeout)).isEqualTo(ClientTimeoutPolicy.CONNECT);
        }
    }

    @Test
    void otherManagersAndNullAreUnknown() throws Exception {
        assertThat(configs.read(null)).isSameAs(ClientApache5Configs.UNKNOWN);
        try (BasicHttpClientConnectionManager m = new BasicHttpClientConnectionManager()) {
            assertThat(configs.read(m)).isSameAs(ClientApache5Configs.UNKNOWN);
        }
        assertThat(configs.read(new Object())).isSameAs(ClientApache5Configs.UNKNOWN);
    }
}
