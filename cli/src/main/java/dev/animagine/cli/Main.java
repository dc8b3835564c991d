package dev.animagine.cli;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.spark.cli.BatchCommand;
import dev.animagine.spark.cli.DatasetCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/** The {@code animagine} command: dispatches to the subcommands and maps errors to exit codes. */
@Command(name = "animagine",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Animagine XL (SDXL) text-to-image on the JVM.",
        subcommands = {CommandLine.HelpCommand.class, GenerateCommand.class, InfoCommand.class, TokensCommand.class, PromptCommand.class,
                PngInfoCommand.class, ServeCommand.class, DevCommand.class, BenchCommand.class, DatasetCommand.class, BatchCommand.class})
public final class Main implements Runnable {
    /** Exit codes: 0 ok, 1 runtime failure, 2 usage error (picocli's own convention). */
    public static final int EXIT_OK = 0, EXIT_FAILURE = 1, EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see animagine --help)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams; the entry point for tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(Main::onParameterError);
        cl.setExecutionExceptionHandler(Main::onExecutionError);
        return cl;
    }

    private static int onParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("animagine: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        return EXIT_USAGE;
    }

    private static int onExecutionError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof InvalidArgumentException) {
            err.println("animagine: " + e.getMessage());
            return EXIT_USAGE;
        }
        if (e instanceof AnimagineException) {
            err.println("animagine: " + e.getMessage());
            return EXIT_FAILURE;
        }
        if (e instanceof IOException io) {
            err.println("animagine: I/O error: " + io.getMessage());
            return EXIT_FAILURE;
        }
        err.println("animagine: internal error (please report): " + e);
        e.printStackTrace(err);
        return EXIT_FAILURE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/animagine-version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {
                "animagine " + p.getProperty("version", "unknown"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
            };
        }
    }
}
