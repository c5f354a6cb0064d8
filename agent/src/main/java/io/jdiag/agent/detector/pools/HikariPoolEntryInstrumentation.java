package io.jdiag.agent.detector.pools;

import static net.bytebuddy.matcher.ElementMatchers.named;

import io.jdiag.agent.core.TypeInstrumentation;
import io.jdiag.bootstrap.PoolsHooks;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * HikariCP's return: {@code PoolEntry.recycle()}, called once per borrow by the first
 * {@code ProxyConnection.close()} (later closes of the same proxy do nothing). The entry is the
 * connection's stable identity in the pool.
 */
public final class HikariPoolEntryInstrumentation implements TypeInstrumentation {
    static final String TYPE = "com.zaxxer.hikari.pool.PoolEntry";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        // recycle() since HikariCP 5; recycle(long lastAccessed) before
        advice.apply(named("recycle"), HikariPoolEntryInstrumentation.class.getName() + "$RecycleAdvice");
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }

    public static class RecycleAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object entry) {
            PoolsHooks.released(PoolsHooks.HIKARI, entry);
        }
    }
}
