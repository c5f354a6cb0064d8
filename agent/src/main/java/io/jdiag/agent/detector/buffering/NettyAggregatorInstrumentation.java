package io.jdiag.agent.detector.buffering;

import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BufferingHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty's {@code HttpObjectAggregator.finishAggregation(FullHttpMessage)}: a whole request (or response)
 * body was gathered into one buffer; past the threshold that is unbounded buffering on the event loop.
 */
public final class NettyAggregatorInstrumentation implements TypeInstrumentation {
    static final String TYPE = "io.netty.handler.codec.http.HttpObjectAggregator";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(named("finishAggregation").and(takesArguments(1)).and(not(isBridge()))
                        .and(takesArgument(0, named("io.netty.handler.codec.http.FullHttpMessage"))),
                NettyAggregatorInstrumentation.class.getName() + "$FinishAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class FinishAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This io.netty.handler.codec.MessageAggregator<?, ?, ?, ?> self,
                                @Advice.Argument(0) io.netty.buffer.ByteBufHolder aggregated) {
            BufferingHooks.aggregated(aggregated.content().readableBytes(), self.maxContentLength());
        }
    }
}
