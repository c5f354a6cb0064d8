package io.jdiag.cli;

/**
 * A failure the user can act on: its message is the one {@code jdiag: ...} line the CLI prints to
 * stderr (what is wrong and how to fix it) before exiting with {@link #EXIT_CODE}.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code of every failure that is not bad usage (bad usage exits 2, see picocli). */
    static final int EXIT_CODE = 1;

    CliException(String line) {
        super(line);
    }

    CliException(String line, Throwable cause) {
        super(line, cause);
    }
}
