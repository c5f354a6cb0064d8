package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class AttachWakerTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void nothingToWatchForAProcessThatIsNotThere() {
        assertThat(AttachWaker.start(4_000_000)).isNull();
    }

    @Test
    void namespacePidOfThisJvmIsTheOneItKnows() {
        assumeTrue(new File("/proc/self/status").isFile(), "Linux /proc");
        assertThat(AttachWaker.namespacePid(SELF)).isEqualTo(SELF);
    }

    /** Stands in for the attach API: this thread sleeps until the "socket" appears, as it does after SIGQUIT. */
    @Test
    void wakesTheSleepingCallerOnceTheSocketExistsAndLeavesNoInterruptBehind() throws IOException {
        File socket = new File("/proc/" + SELF + "/root/tmp/.java_pid" + AttachWaker.namespacePid(SELF));
        assumeTrue(new File("/proc/self/status").isFile() && !socket.exists(), "Linux /proc, and this JVM's attach socket not open");
        AttachWaker waker = AttachWaker.start(SELF);
        assertThat(waker).isNotNull();
        Files.createFile(socket.toPath());
        try {
            long start = System.nanoTime();
            boolean woken = false;
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException expected) {
                woken = true;
            }
            assertThat(woken).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(20_000);
        } finally {
            waker.close();
            Files.deleteIfExists(socket.toPath());
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
