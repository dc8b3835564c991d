package dev.animagine.spark.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code animagine dataset}: jobs over training datasets, on Spark. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Prepare training datasets on Apache Spark (local or a cluster).",
        subcommands = {CaptionsCommand.class})
public final class DatasetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see animagine dataset --help)");
    }
}
