package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code sun.nio.ch.NioSocketImpl} (JDK 13+), behind every {@code java.net.Socket} and
 * {@code ServerSocket}: stream reads and writes, connect, accept. These are blocking sockets by
 * construction; Netty's own non-blocking channels ({@code SocketChannelImpl}) are not touched.
 */
public final class NioSocketInstrumentation implements TypeInstrumentation {
    static final String TYPE = "sun.nio.ch.NioSocketImpl";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(namedOneOf("read", "write").and(takesArguments(3)).or(namedOneOf("connect", "accept")),
                BlockingAdvice.AlwaysAdvice.class.getName());
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }
}
