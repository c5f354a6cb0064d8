package io.jdiag.testapp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.jdiag.testapp.blocking.BlockingRoutes;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A Netty HTTP server beside Jetty ({@code --netty-port}): {@code HttpServerCodec} +
 * {@code HttpObjectAggregator} + one handler, the usual shape of a Netty service.
 * <ul>
 *   <li>{@code GET /hello}: a small text response (load tests)</li>
 *   <li>{@code GET /users/<id>}: path with an id, whose route must become {@code /users/*}</li>
 *   <li>{@code GET /netty/leak}: opens a FileInputStream on the event loop and never closes it</li>
 *   <li>{@code /ok}, {@code /sleep}, {@code /jdbc}, {@code /cpu}, {@code /offload}: blocking on the loop ({@link BlockingRoutes})</li>
 * </ul>
 */
final class NettyService implements AutoCloseable {
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel channel;
    private final BlockingRoutes blocking;

    private NettyService(String host, int port, Path dataFile, String jdbcUrl) throws Exception {
        blocking = BlockingRoutes.create(jdbcUrl);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler(dataFile, blocking));
                    }
                });
        channel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
    }

    static NettyService start(String host, int port, Path dataFile, String jdbcUrl) throws Exception {
        return new NettyService(host, port, dataFile, jdbcUrl);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        boss.shutdownGracefully();
        workers.shutdownGracefully();
        blocking.close();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Path dataFile;
        private final BlockingRoutes blocking;

        Handler(Path dataFile, BlockingRoutes blocking) {
            this.dataFile = dataFile;
            this.blocking = blocking;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String path = request.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            if (path.equals("/hello")) {
                respond(ctx, request, HttpResponseStatus.OK, "hello");
            } else if (path.startsWith("/users/")) {
                respond(ctx, request, HttpResponseStatus.OK, "user " + path.substring("/users/".length()));
            } else if (path.equals("/netty/leak")) {
                respond(ctx, request, HttpResponseStatus.OK, "read " + nettyReadWithoutClose(dataFile) + " bytes");
            } else if (!blocking.handle(ctx, request)) {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path);
            }
        }

        /** Deliberate leak on the event loop: the stream is never closed. */
        private static int nettyReadWithoutClose(Path file) throws IOException {
            InputStream in = new FileInputStream(file.toFile());
            return in.read(new byte[64]);
        }

        private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var future = ctx.writeAndFlush(response);
            if (!keepAlive) {
                future.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
        }
    }
}
