package io.jdiag.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code <pid>} every verb but list and check-config starts with (a picocli mixin). */
final class PidParameter {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private long pid;

    @Parameters(index = "0", paramLabel = "<pid>", description = "Process id of the target JVM (see `jdiag list`).")
    void setPid(String text) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value <= 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for <pid>: '" + text + "' is not a process id");
        }
        pid = value;
    }

    long pid() {
        return pid;
    }
}
