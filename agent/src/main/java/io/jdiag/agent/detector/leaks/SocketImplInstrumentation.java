package io.jdiag.agent.detector.leaks;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.LeaksHooks;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The implementation behind {@code java.net.Socket} and {@code ServerSocket}: {@code NioSocketImpl}
 * (JDK 13+, the only one from JDK 19) and {@code AbstractPlainSocketImpl} (JDK 11, or
 * {@code -Djdk.net.usePlainSocketImpl} up to 18). Tracking the impl, not {@code Socket}, catches
 * exactly the sockets that got a file descriptor: created for connect/bind, or accepted.
 */
public final class SocketImplInstrumentation implements TypeInstrumentation {
    static final String NIO = "sun.nio.ch.NioSocketImpl";
    static final String PLAIN = "java.net.AbstractPlainSocketImpl";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return namedOneOf(NIO, PLAIN);
    }

    @Override
    public void transform(AdviceTarget advice) {
        String self = SocketImplInstrumentation.class.getName();
        advice.apply(named("create").and(takesArguments(boolean.class)), self + "$CreateAdvice");
        advice.apply(named("accept").and(takesArguments(1)), self + "$AcceptAdvice");
        advice.apply(named("connect").and(takesArguments(2)).and(takesArgument(0, SocketAddress.class)), self + "$ConnectAdvice");
        advice.apply(named("close").and(takesArguments(0)), self + "$CloseAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(NIO);
    }

    public static class CreateAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.This Object self, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                LeaksHooks.opened(self, "socket", null);
            }
        }
    }

    public static class AcceptAdvice {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) Object accepted, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                LeaksHooks.opened(accepted, "socket", "accepted connection");
            }
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
