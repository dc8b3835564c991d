package dev.animagine.cli;

import dev.animagine.core.io.CheckpointOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every command that opens a model shares: --config, --vae, --variant. */
final class ModelOptions {
    @Option(names = "--config", paramLabel = "DIR",
            description = "A diffusers folder of the same architecture whose config.json files give what the weights cannot "
                    + "(attention heads); needed only for single files that are not full-size SDXL.")
    Path config;

    @Option(names = "--vae", paramLabel = "FILE",
            description = "Use this VAE instead of the model's: an SGM .safetensors (e.g. sdxl_vae.safetensors), "
                    + "a diffusers-named file, or a diffusers vae/ folder.")
    Path vae;

    @Option(names = "--variant", paramLabel = "NAME",
            description = "Preferred diffusers weight variant, e.g. fp16 (default: plain files, else fp16).")
    String variant;

    CheckpointOptions toOptions() {
        return new CheckpointOptions(config, vae, variant, null);
    }
}
