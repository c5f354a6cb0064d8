package io.jdiag.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jdiag}: attaches the jdiag agent to running JVMs and reads what it found. Conventions of
 * {@code jcmd}/{@code jps}: pid first, plain tables, quiet on success. Exit codes: 0 success,
 * 1 a failure explained by one {@code jdiag:} line on stderr, 2 bad usage (usage text on stderr).
 */
@Command(name = "jdiag",
        mixinStandardHelpOptions = true,
        versionProvider = JdiagCli.Version.class,
        description = "Attach the jdiag diagnostics agent to a running JVM and read its findings.",
        // Subcommands are added in commandLine(), only the one being run when that is known.
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  success",
                "  1  failure, explained by one 'jdiag:' line on stderr",
                "  2  bad usage",
                "",
                "The agent jar is --agent-jar, else $" + AgentJar.ENV + ", else found next to the CLI jar.",
                "Set JDIAG_DEBUG=1 to get stack traces with errors. See docs/cli.md."})
public final class JdiagCli implements Callable<Integer> {
    static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

    @Spec
    CommandSpec spec;

    /** {@code jdiag} without a verb: usage on stderr, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        // With the wall clock, so that a caller can tell the launcher's and JVM's start-up from the CLI's own steps.
        Debug.step(Debug.ENABLED ? "main, at epoch ms " + System.currentTimeMillis() : "main");
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(args, out, err);
        Debug.step("done, exit " + code);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line; returns the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            java.util.List<String> plainAttach = AttachCommand.plainAttach(args);
            if (plainAttach != null) {
                try {
                    return AttachCommand.runPlain(args, plainAttach, out);
                } catch (RuntimeException e) {
                    return fail(e, err); // as FailureHandler does
                }
            }
            CommandLine cli = commandLine(args.length > 0 ? args[0] : null);
            cli.setOut(out);
            cli.setErr(err);
            cli.setExecutionExceptionHandler(new FailureHandler(err));
            cli.setParameterExceptionHandler(new BadUsageHandler());
            return cli.execute(args);
        } catch (NoClassDefFoundError e) {
            // jdk.attach is missing when the runtime is a JRE or a jlink image without it. Commands
            // check for it first (Jdk.requireAttachApi); this is the safety net.
            return fail(e, err);
        }
    }

    /**
     * The command line with its verbs. Picocli builds its model of a command by reflection, which
     * is a good part of the CLI's start-up time (and so of an attach), so when the first word names
     * a verb only that one is built; otherwise (no verb, {@code --help}, {@code help}, a typo) all
     * are, for the usage text and suggestions.
     */
    static CommandLine commandLine(String firstWord) {
        CommandLine cli = new CommandLine(new JdiagCli());
        Object verb = firstWord == null ? null : verb(firstWord);
        if (verb != null) {
            cli.addSubcommand(verb);
        } else {
            for (String name : VERBS) {
                cli.addSubcommand(verb(name));
            }
            cli.addSubcommand(new HelpCommand());
        }
        return cli;
    }

    /** The verbs, in the order the usage lists them. */
    static final String[] VERBS = {"list", "attach", "status", "report", "detach", "check-config"};

    private static Object verb(String name) {
        // A switch, not a map of lambdas: the first lambda costs start-up time too.
        switch (name) {
            case "list":
                return new ListCommand();
            case "attach":
                return new AttachCommand();
            case "status":
                return new StatusCommand();
            case "report":
                return new ReportCommand();
            case "detach":
                return new DetachCommand();
            case "check-config":
                return new CheckConfigCommand();
            default:
                return null;
        }
    }

    /** Bad usage: the problem as a {@code jdiag:} line, then the usage of the verb concerned; exit 2. */
    private static final class BadUsageHandler implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println("jdiag: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            cmd.usage(err);
            err.flush();
            return EXIT_USAGE;
        }
    }

    /** A verb failed: {@link CliException} is its one line; anything else is a bug. */
    private static final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
        private final PrintWriter err;

        FailureHandler(PrintWriter err) {
            this.err = err;
        }

        @Override
        public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            return fail(ex, err);
        }
    }

    private static int fail(Throwable ex, PrintWriter err) {
        if (ex instanceof CliException) {
            err.println(ex.getMessage());
        } else if (ex instanceof NoClassDefFoundError && String.valueOf(ex.getMessage()).contains("com/sun/tools/attach")) {
            err.println(Jdk.noAttachApiLine());
        } else {
            err.println("jdiag: internal error: " + ex + " (set JDIAG_DEBUG=1 for the stack trace; please report it)");
        }
        if (Debug.ENABLED) {
            ex.printStackTrace(err);
        }
        err.flush();
        return CliException.EXIT_CODE;
    }

    static String version() {
        try (InputStream in = JdiagCli.class.getResourceAsStream("/io/jdiag/cli/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** {@code jdiag --version}: the CLI's version, then the Java runtime it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                    "jdiag " + version(),
                    "java " + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")"};
        }
    }

    /** For tests: runs {@code args} and captures both streams. */
    static Result runCaptured(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static final class Result {
        final int exitCode;
        final String out;
        final String err;

        Result(int exitCode, String out, String err) {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }
    }
}
