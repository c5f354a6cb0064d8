package io.jdiag.agent.detector.blocking;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

import io.jdiag.agent.core.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** {@code sun.nio.ch.FileChannelImpl}: file reads, writes, transfers and {@code force}, behind {@code FileChannel} and {@code Files}. */
public final class FileChannelInstrumentation implements TypeInstrumentation {
    static final String TYPE = "sun.nio.ch.FileChannelImpl";

    @Override
    public ElementMatcher<? super TypeDescription> typeMatcher() {
        return named(TYPE);
    }

    @Override
    public void transform(AdviceTarget advice) {
        advice.apply(namedOneOf("read", "write", "transferTo", "transferFrom", "force").and(isPublic()),
                BlockingAdvice.AlwaysAdvice.class.getName());
    }

    @Override
    public List<String> requiredTypes() {
        return Collections.singletonList(TYPE);
    }
}
