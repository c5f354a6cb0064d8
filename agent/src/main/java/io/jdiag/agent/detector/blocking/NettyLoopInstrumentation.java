package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.BlockingHooks;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty's event-loop machinery, the same in 4.1 and 4.2 (and in copies shaded under another
 * package, such as gRPC's): how loops are found and how the watchdog sees them make progress. Four
 * target types, nested here because they serve one purpose.
 */
public final class NettyLoopInstrumentation {
    static final String EXECUTOR = "io.netty.util.concurrent.SingleThreadEventExecutor";
    static final String ABSTRACT_EXECUTOR = "io.netty.util.concurrent.AbstractEventExecutor";
    static final String HANDLER_CONTEXT = "io.netty.channel.AbstractChannelHandlerContext";
    static final String EPOLL = "io.netty.channel.epoll.Native";
    static final String KQUEUE = "io.netty.channel.kqueue.Native";

    private NettyLoopInstrumentation() {}

    static ElementMatcher.Junction<TypeDescription> nettyType(String name) {
        return named(name).or(nameEndsWith("." + name));
    }

    /**
     * {@code SingleThreadEventExecutor}: {@code runAllTasks} (each round of a loop; an unknown thread
     * asks to be registered, the way loops started before a hot attach are found) and {@code takeTask}
     * (an executor's wait for work: idle).
     */
    public static final class Executor implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return nettyType(EXECUTOR);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("runAllTasks"), NettyLoopInstrumentation.class.getName() + "$IterationAdvice");
            advice.apply(named("takeTask").and(takesArguments(0)), BlockingAdvice.IdleAdvice.class.getName());
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(EXECUTOR);
        }
    }

    /** {@code AbstractEventExecutor.safeExecute}: every task a Netty executor runs. */
    public static final class Task implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return nettyType(ABSTRACT_EXECUTOR);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("safeExecute"), NettyLoopInstrumentation.class.getName() + "$TaskAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(ABSTRACT_EXECUTOR);
        }
    }

    /**
     * {@code AbstractChannelHandlerContext.fireChannelRead}: a handler passes a message on, so the next
     * handler starts; the HTTP route in flight (set by the {@code http} detector's codec hooks) is noted
     * for a stall's finding.
     */
    public static final class Read implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return nettyType(HANDLER_CONTEXT);
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(named("fireChannelRead").and(takesArguments(1)), NettyLoopInstrumentation.class.getName() + "$ReadAdvice");
        }

        @Override
        public List<String> requiredTypes() {
            return Collections.singletonList(HANDLER_CONTEXT);
        }
    }

    /** The native transports' waits for I/O ({@code epoll_wait}, {@code kevent}): idle. */
    public static final class NativeWait implements TypeInstrumentation {
        @Override
        public ElementMatcher<? super TypeDescription> typeMatcher() {
            return nettyType(EPOLL).or(nettyType(KQUEUE));
        }

        @Override
        public void transform(AdviceTarget advice) {
            advice.apply(namedOneOf("epollWait", "epollBusyWait", "keventWait").and(not(isNative())),
                    BlockingAdvice.IdleAdvice.class.getName());
        }

        @Override
        public List<String> requiredTypes() {
            return Arrays.asList(EPOLL, KQUEUE);
        }
    }

    public static class IterationAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object executor) {
            BlockingHooks.loopIteration(executor);
        }
    }

    public static class TaskAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            BlockingHooks.progress();
        }
    }

    public static class ReadAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
            BlockingHooks.progressRead();
        }
    }
}
