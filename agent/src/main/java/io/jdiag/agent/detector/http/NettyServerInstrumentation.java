package io.jdiag.agent.detector.http;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.HttpHooks;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty HTTP servers ({@code HttpServerCodec}, or {@code HttpRequestDecoder} + {@code HttpResponseEncoder}):
 * a request starts when the decoder emits an {@code HttpRequest} and ends when the encoder writes
 * the last part of its response, or when the channel closes first. The channel's requests in flight
 * (several with HTTP/1.1 pipelining; responses go to the oldest) are kept in a channel attribute;
 * while the decoder hands a read to the handlers after it, the newest request's route is current
 * on the event-loop thread, so findings raised by those handlers carry it, and after the read the
 * route that was current before it is current again.
 */
public final class NettyServerInstrumentation implements TypeInstrumentation {
    static final String DECODER = "io.netty.handler.codec.http.HttpObjectDecoder";
    static final String TO_MESSAGE_DECODER = "io.netty.handler.codec.ByteToMessageDecoder";
    static final String ENCODER = "io.netty.handler.codec.http.HttpObjectEncoder";
    static final String ATTRIBUTE = "io.jdiag.http.inflight";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(DECODER, TO_MESSAGE_DECODER, ENCODER);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = NettyServerInstrumentation.class.getName();
        advice.apply(named("decode").and(takesArguments(3)).and(not(isAbstract())), self + "$DecodeAdvice");
        advice.apply(named("channelRead").and(takesArguments(2)), self + "$ChannelReadAdvice");
        advice.apply(named("channelInactive").and(takesArguments(1)), self + "$ChannelInactiveAdvice");
        advice.apply(named("write").and(takesArguments(3)), self + "$WriteAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return java.util.Arrays.asList(DECODER, TO_MESSAGE_DECODER, ENCODER);
    }

    public static class DecodeAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object decoder, @Advice.Argument(0) io.netty.channel.ChannelHandlerContext ctx,
                                @Advice.Argument(2) List<Object> out) {
            if (decoder instanceof io.netty.handler.codec.http.HttpRequestDecoder) {
                for (int i = 0; i < out.size(); i++) {
                    Object msg = out.get(i);
                    if (msg instanceof io.netty.handler.codec.http.HttpRequest) {
                        io.netty.handler.codec.http.HttpRequest request = (io.netty.handler.codec.http.HttpRequest) msg;
                        io.netty.util.Attribute<Object> attribute = ctx.channel().attr(io.netty.util.AttributeKey.valueOf(ATTRIBUTE));
                        Object channel = attribute.get();
                        Object next = HttpHooks.nettyRequest(channel, request.method().name(), request.uri());
                        if (next != channel) {
                            attribute.set(next);
                        }
                    }
                }
            }
        }
    }

    public static class ChannelReadAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static Object enter(@Advice.This Object decoder, @Advice.Argument(0) io.netty.channel.ChannelHandlerContext ctx) {
            if (decoder instanceof io.netty.handler.codec.http.HttpRequestDecoder) {
                return HttpHooks.nettyRead(ctx.channel().attr(io.netty.util.AttributeKey.valueOf(ATTRIBUTE)).get());
            }
            return null;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object decoder, @Advice.Enter Object previous) {
            if (decoder instanceof io.netty.handler.codec.http.HttpRequestDecoder) {
                HttpHooks.nettyReadDone(previous);
            }
        }
    }

    public static class ChannelInactiveAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object decoder, @Advice.Argument(0) io.netty.channel.ChannelHandlerContext ctx) {
            if (decoder instanceof io.netty.handler.codec.http.HttpRequestDecoder) {
                Object channel = ctx.channel().attr(io.netty.util.AttributeKey.valueOf(ATTRIBUTE)).getAndSet(null);
                if (channel != null) {
                    HttpHooks.nettyClosed(channel);
                }
            }
        }
    }

    public static class WriteAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object encoder, @Advice.Argument(0) io.netty.channel.ChannelHandlerContext ctx,
                                 @Advice.Argument(1) Object msg) {
            if (encoder instanceof io.netty.handler.codec.http.HttpResponseEncoder) {
                boolean last = msg instanceof io.netty.handler.codec.http.LastHttpContent;
                boolean head = msg instanceof io.netty.handler.codec.http.HttpResponse;
                if (head || last) {
                    io.netty.util.Attribute<Object> attribute = ctx.channel().attr(io.netty.util.AttributeKey.valueOf(ATTRIBUTE));
                    Object channel = attribute.get();
                    if (channel != null && HttpHooks.nettyWrite(channel,
                            head ? ((io.netty.handler.codec.http.HttpResponse) msg).status().code() : -1, last)) {
                        attribute.compareAndSet(channel, null);
                    }
                }
            }
        }
    }
}
