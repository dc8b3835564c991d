package dev.animagine.cli;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.lora.RandomLora;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code animagine dev random-lora}: a random kohya LoRA on every UNet attention and feed-forward layer (for benchmarks). */
@Command(name = "random-lora", mixinStandardHelpOptions = true,
        description = {"Write a random kohya-ss LoRA (fp16, alpha = rank/2) on every attention (q, k, v, out) and feed-forward layer "
                + "of the UNet of MODEL or of full-size SDXL. Never overwrites; the output appears only when complete."})
final class RandomLoraCommand implements Callable<Integer> {
    @Option(names = "--like", paramLabel = "MODEL", description = "Target the modules of this model.")
    String like;

    @Option(names = "--preset", paramLabel = "NAME", description = "A known architecture: sdxl.")
    String preset;

    @Option(names = "--rank", defaultValue = "32", paramLabel = "R", description = "Rank of every module (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--text-encoders", description = "Also adapt both text encoders' attention and MLP layers.")
    boolean textEncoders;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .safetensors file; must not exist.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ModelOptions modelOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if ((like == null) == (preset == null))
            throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --like MODEL or --preset sdxl");
        if (rank < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--rank must be at least 1, got " + rank);
        SdxlArchitecture arch;
        if (preset != null) {
            if (!preset.equalsIgnoreCase("sdxl"))
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown --preset '" + preset + "' (known: sdxl)");
            arch = SdxlArchitecture.SDXL;
        } else {
            try (Checkpoint model = Checkpoint.open(like, modelOptions.toOptions())) {
                arch = model.architecture();
            }
        }
        long start = System.nanoTime();
        RandomLora lora = new RandomLora(arch, rank, seed, textEncoders);
        lora.write(out);
        double s = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s (rank %d, %s, seed %d) in %.1f s%n", out, rank,
                InfoCommand.human(lora.weightBytes()), seed, s);
        return 0;
    }
}
