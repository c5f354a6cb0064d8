package io.jdiag.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdiag.bootstrap.AgentThread;
import io.jdiag.bootstrap.HookGuard;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The re-entry guard every hook uses: what the agent does inside a hook never runs a hook again. */
class HookGuardTest {
    @Test
    void aHookInsideAHookDoesNothingUntilTheOuterOneExits() {
        HookGuard.Depth outer = HookGuard.enter();
        assertThat(outer).isNotNull();
        assertThat(HookGuard.inside()).isTrue();
        assertThat(HookGuard.enter()).as("re-entered").isNull();
        outer.exit();
        assertThat(HookGuard.inside()).isFalse();
        HookGuard.Depth again = HookGuard.enter();
        assertThat(again).isNotNull();
        again.exit();
    }

    /** The agent class loader shields its reads even under a hook, and a hook under it stays off until it is done. */
    @Test
    void nestedAgentWorkKeepsTheThreadInsideUntilTheLastExit() {
        HookGuard.Depth hook = HookGuard.enter();
        HookGuard.Depth classLoading = HookGuard.enterNested();
        classLoading.exit();
        assertThat(HookGuard.inside()).isTrue();
        hook.exit();
        HookGuard.Depth loadingOutsideAHook = HookGuard.enterNested();
        assertThat(HookGuard.enter()).isNull();
        loadingOutsideAHook.exit();
        assertThat(HookGuard.inside()).isFalse();
    }

    @Test
    void agentThreadsAreAlwaysInside() throws Exception {
        AtomicReference<Object> seen = new AtomicReference<>("not run");
        AtomicReference<Boolean> inside = new AtomicReference<>();
        Thread t = new AgentThread(() -> {
            seen.set(HookGuard.enter());
            inside.set(HookGuard.inside());
        }, "jdiag-test");
        t.start();
        t.join();
        assertThat(seen.get()).isNull();
        assertThat(inside.get()).isTrue();
    }
}
