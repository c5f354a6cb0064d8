package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * NIO socket channels ({@code SocketChannel.open()}, accepted channels, {@code ServerSocketChannel}).
 * Every constructor opens a descriptor; {@code implCloseSelectableChannel} is where every close ends.
 */
public final class SocketChannelInstrumentation implements TypeInstrumentation {
    static final String CHANNEL = "sun.nio.ch.SocketChannelImpl";
    static final String SERVER = "sun.nio.ch.ServerSocketChannelImpl";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(CHANNEL, SERVER);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = SocketChannelInstrumentation.class.getName();
        advice.apply(isConstructor(), self + "$OpenAdvice");
        advice.apply(named("connect").and(takesArguments(1)).and(takesArgument(0, SocketAddress.class)), self + "$ConnectAdvice");
        advice.apply(named("implCloseSelectableChannel").and(takesArguments(0)), self + "$CloseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Arrays.asList(CHANNEL, SERVER);
    }

    public static class OpenAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object self) {
            LeaksHooks.opened(self, "socket", null);
        }
    }

    public static class ConnectAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object self, @Advice.Argument(0) Object remote, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                LeaksHooks.describe(self, remote);
            }
        }
    }

    public static class CloseAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            LeaksHooks.closed(self);
        }
    }
}
