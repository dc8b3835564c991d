package dev.animagine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code animagine dev ...}: tools for developers (test data, benchmarks). */
@Command(name = "dev", mixinStandardHelpOptions = true, description = "Developer tools.",
        subcommands = {RandomCheckpointCommand.class, RandomLoraCommand.class, WarmUpCommand.class})
final class DevCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (see animagine dev --help)");
    }
}
