package dev.animagine.spark.cli;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * Entry point of animagine-spark-submit.jar for spark-submit:
 * {@code spark-submit animagine-spark-submit.jar dataset captions --input ... --output ... --version 4}, or
 * {@code ... batch --input requests.jsonl --output DIR --model MODEL}. The same commands as the CLI's; exit codes 0 ok, 1 failure, 2 usage error.
 */
@Command(name = "animagine-spark", mixinStandardHelpOptions = true,
        description = "Animagine jobs on Apache Spark.",
        subcommands = {CommandLine.HelpCommand.class, DatasetCommand.class, BatchCommand.class})
public final class SparkMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see --help)");
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setOut(new PrintWriter(System.out, true));
        cl.setErr(new PrintWriter(System.err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof InvalidArgumentException) {
                err.println("animagine: " + e.getMessage());
                return 2;
            }
            if (e instanceof AnimagineException) {
                err.println("animagine: " + e.getMessage());
                return 1;
            }
            err.println("animagine: internal error (please report): " + e);
            e.printStackTrace(err);
            return 1;
        });
        System.exit(cl.execute(args));
    }
}
