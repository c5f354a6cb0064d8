package io.jdiag.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** PRELIMINARY: maps attach failures to lines. */
final class AttachFailures {
    private AttachFailures() {}

    static void checkProcess(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            throw new CliException("jdiag: no process with pid " + pid + "; `jdiag list` shows the local JVMs");
        }
    }

    static CliException attach(long pid, Exception e) {
        return new CliException("jdiag: cannot attach to " + pid + ": " + e, e);
    }

    static String shortReason(CliException e) {
        return e.getMessage();
    }

    static CliException lost(long pid, String doing, IOException e) {
        return new CliException("jdiag: lost the connection to " + pid + " while " + doing + ": " + e, e);
    }

    static CliException load(long pid, Path jar, Exception e) {
        return new CliException("jdiag: loading " + jar + " into " + pid + " failed: " + e, e);
    }
}
