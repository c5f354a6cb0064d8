package io.jdiag.agent.detector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.agent.core.Config;
import io.jdiag.agent.core.WarmUpContext;
import io.jdiag.bootstrap.NettyChannel;
import io.jdiag.bootstrap.RequestContext;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty side of the server analyzer as the advice drives it: one channel's requests in flight,
 * HTTP/1.1 pipelining (responses in request order), clients that close mid-request, interim
 * responses, and the route current during and after a read.
 */
class NettyInFlightTest {
    private final WarmUpContext context = new WarmUpContext(Config.defaults());
    private final HttpServerAnalyzer analyzer = new HttpServerAnalyzer(context);

    @AfterEach
    void noRouteLeftOnTheThread() {
        RequestContext.restore(null);
    }

    @Test
    void pipelinedRequestsEachEndWithTheirOwnResponseInOrder() {
        Object channel = analyzer.nettyRequest(null, "GET", "/a");
        assertThat(analyzer.nettyRequest(channel, "POST", "/b?x=1")).as("one object per channel").isSameAs(channel);
        assertThat(analyzer.route(channel).value()).as("a body read belongs to the newest").isEqualTo("POST /b");
        assertThat(active()).isEqualTo(2);

        assertThat(analyzer.nettyWrite(channel, 404, false)).isFalse();
        assertThat(analyzer.nettyWrite(channel, -1, true)).as("one still in flight").isFalse();
        assertThat(count("GET", "/a", "404")).isEqualTo(1);
        assertThat(active()).isEqualTo(1);

        assertThat(analyzer.nettyWrite(channel, 201, false)).isFalse();
        assertThat(analyzer.nettyWrite(channel, -1, true)).as("none left: the attribute may go").isTrue();
        assertThat(count("POST", "/b", "201")).isEqualTo(1);
        assertThat(active()).isZero();
    }

    @Test
    void aChannelClosedMidRequestLeavesNothingActiveAndRecordsNoRequest() {
        Object channel = analyzer.nettyRequest(null, "GET", "/slow");
        analyzer.nettyRequest(channel, "GET", "/slow");
        analyzer.nettyWrite(channel, 200, false); // head of the first, then the client went away
        assertThat(active()).isEqualTo(2);

        analyzer.nettyClosed(channel);
        assertThat(active()).isZero();
        assertThat(count("GET", "/slow", "200")).isZero();
        assertThat(analyzer.nettyWrite(channel, -1, true)).as("a late write after the close is ignored").isTrue();
        assertThat(active()).isZero();
    }

    @Test
    void anInterimResponseDoesNotEndTheRequest() {
        Object channel = analyzer.nettyRequest(null, "PUT", "/upload");
        assertThat(analyzer.nettyWrite(channel, 100, true)).as("100 Continue as one full response").isFalse();
        analyzer.nettyWrite(channel, 100, false); // or as a head and an empty last part
        analyzer.nettyWrite(channel, -1, true);
        assertThat(active()).isEqualTo(1);
        assertThat(analyzer.nettyWrite(channel, 204, true)).isTrue();
        assertThat(count("PUT", "/upload", "204")).isEqualTo(1);
        assertThat(count("PUT", "/upload", "100")).isZero();
        assertThat(active()).isZero();
    }

    @Test
    void aSwitchOfProtocolsEndsTheRequest() {
        Object channel = analyzer.nettyRequest(null, "GET", "/ws");
        assertThat(analyzer.nettyWrite(channel, 101, true)).isTrue();
        assertThat(count("GET", "/ws", "101")).isEqualTo(1);
        assertThat(active()).isZero();
    }

    @Test
    void aChannelTracksAtMostItsBoundOfPipelinedRequests() {
        Object channel = null;
        for (int i = 0; i < NettyChannel.MAX_PIPELINED + 5; i++) {
            channel = analyzer.nettyRequest(channel, "GET", "/p");
        }
        assertThat(active()).isEqualTo(NettyChannel.MAX_PIPELINED);
        analyzer.nettyClosed(channel);
        assertThat(active()).isZero();
    }

    @Test
    void afterARequestReadTheRouteCurrentBeforeItIsCurrentAgain() {
        io.jdiag.bootstrap.HttpHooks.install(analyzer);
        try {
            RequestContext.Route outer = new RequestContext.Route("GET /outer", "GET", "", false);
            RequestContext.use(outer);
            Object before = io.jdiag.bootstrap.HttpHooks.nettyRead(null);
            Object channel = io.jdiag.bootstrap.HttpHooks.nettyRequest(null, "GET", "/inner");
            assertThat(RequestContext.currentRoute()).as("the decoded request's route during the read").isEqualTo("GET /inner");
            io.jdiag.bootstrap.HttpHooks.nettyReadDone(before);
            assertThat(RequestContext.current()).as("the previous route, not none").isSameAs(outer);

            RequestContext.restore(null);
            Object none = io.jdiag.bootstrap.HttpHooks.nettyRead(channel);
            assertThat(RequestContext.currentRoute()).as("a body read of the channel's request").isEqualTo("GET /inner");
            io.jdiag.bootstrap.HttpHooks.nettyReadDone(none);
            assertThat(RequestContext.current()).isNull();
        } finally {
            io.jdiag.bootstrap.HttpHooks.install(null);
        }
    }

    private double active() {
        Double v = registry().getSampleValue("jdiag_http_server_requests_active", new String[] {"server"}, new String[] {"netty"});
        return v == null ? 0 : v;
    }

    private double count(String method, String route, String status) {
        Double v = registry().getSampleValue("jdiag_http_server_requests_seconds_count",
                new String[] {"server", "method", "route", "status"}, new String[] {"netty", method, route, status});
        return v == null ? 0 : v;
    }

    private CollectorRegistry registry() {
        return context.registry();
    }
}
