package dev.animagine.cli;

import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.ModelLocator.Layout;
import dev.animagine.bench.RandomCheckpoint;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.tensor.DType;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code animagine dev random-checkpoint}: random weights of a detected architecture, in either layout. */
@Command(name = "random-checkpoint", mixinStandardHelpOptions = true,
        description = {"Write a checkpoint of random weights (scaled so activations stay finite) with the architecture of MODEL "
                + "or of full-size SDXL, as a single file or a diffusers folder. Never overwrites; the output appears only when complete."})
final class RandomCheckpointCommand implements Callable<Integer> {
    @Option(names = "--like", paramLabel = "MODEL", description = "Copy the architecture of this model.")
    String like;

    @Option(names = "--preset", paramLabel = "NAME", description = "A known architecture: sdxl (SDXL base / Animagine XL dimensions).")
    String preset;

    @Option(names = "--layout", required = true, paramLabel = "LAYOUT", description = "single-file or diffusers.")
    String layout;

    @Option(names = "--dtype", defaultValue = "f16", paramLabel = "DTYPE", description = "f16, bf16 or f32 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "Output file (single-file) or folder (diffusers); must not exist.")
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
        Layout lay = switch (layout.toLowerCase(Locale.ROOT)) {
            case "single-file", "single_file", "single" -> Layout.SINGLE_FILE;
            case "diffusers" -> Layout.DIFFUSERS;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "invalid value for --layout: '" + layout + "' (expected single-file or diffusers)");
        };
        DType dt = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f16", "fp16", "float16" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            case "f32", "fp32", "float32" -> DType.F32;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "invalid value for --dtype: '" + dtype + "' (expected f16, bf16 or f32)");
        };
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        RandomCheckpoint rc;
        if (preset != null) {
            if (!preset.equalsIgnoreCase("sdxl"))
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown --preset '" + preset + "' (known: sdxl)");
            rc = new RandomCheckpoint(SdxlArchitecture.SDXL, dt, seed);
            announce(err, rc, lay);
            rc.write(lay, out);
        } else {
            try (Checkpoint model = Checkpoint.open(like, modelOptions.toOptions())) {
                rc = new RandomCheckpoint(model.architecture(), dt, seed).copyingExtrasFrom(model);
                announce(err, rc, lay);
                rc.write(lay, out);
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s (%s, %s, seed %d) in %.1f s%n", out, lay.label(), dt.fileName(), seed, s);
        return 0;
    }

    private void announce(PrintWriter err, RandomCheckpoint rc, Layout lay) {
        err.printf(Locale.ROOT, "writing %s of random weights to %s (%s)...%n", InfoCommand.human(rc.weightBytes()), out, lay.label());
        err.flush();
    }
}
