package io.jdiag.cli;

/**
 * A failure the user can act on: its message is the {@code jdiag: ...} line the CLI prints to
 * stderr (what is wrong and how to fix it) before exiting with {@link #EXIT_CODE}.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code of every failure that is not bad usage (bad usage exits 2, see picocli). */
    static final int EXIT_CODE = 1;

    private final String brief;

    CliException(String line) {
        this(line, null, null);
    }

    CliException(String line, Throwable cause) {
        this(line, null, cause);
    }

    /**
     * @param brief a few words for a table cell ({@code jdiag list}), e.g. {@code attach disabled};
     *              null to use the line
     */
    CliException(String line, String brief, Throwable cause) {
        super(line, cause);
        this.brief = brief;
    }

    /** A few words saying what went wrong, for places where the full line does not fit. */
    String brief() {
        return brief != null ? brief : getMessage();
    }
}
