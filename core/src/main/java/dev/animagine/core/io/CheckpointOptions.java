package dev.animagine.core.io;

import java.nio.file.Path;
import java.util.List;

/**
 * How to open a checkpoint.
 *
 * @param configDirectory a diffusers folder of the same architecture whose {@code config.json} files
 *                        supply what weights cannot show (attention heads) for a single file that is
 *                        not full-size SDXL ({@code --config DIR}); null for none
 * @param vae             an external VAE replacing the checkpoint's ({@code --vae}): an SGM file with
 *                        bare {@code encoder.*}/{@code decoder.*} keys (e.g. sdxl-vae-fp16-fix's
 *                        {@code sdxl_vae.safetensors}), a diffusers-named file, or a diffusers VAE folder; null for none
 * @param variant         preferred diffusers weight variant (e.g. "fp16"); null prefers the plain files
 *                        and falls back to the fp16 variant
 * @param hubCaches       Hugging Face hub caches to resolve repo ids in; null for the environment's
 *                        ({@code HF_HUB_CACHE}, {@code HF_HOME/hub}, {@code ~/.cache/huggingface/hub})
 */
public record CheckpointOptions(Path configDirectory, Path vae, String variant, List<Path> hubCaches) {
    public static final CheckpointOptions DEFAULT = new CheckpointOptions(null, null, null, null);

    public CheckpointOptions withConfigDirectory(Path dir) {
        return new CheckpointOptions(dir, vae, variant, hubCaches);
    }

    public CheckpointOptions withVae(Path file) {
        return new CheckpointOptions(configDirectory, file, variant, hubCaches);
    }

    public CheckpointOptions withVariant(String v) {
        return new CheckpointOptions(configDirectory, vae, v, hubCaches);
    }

    public CheckpointOptions withHubCaches(List<Path> caches) {
        return new CheckpointOptions(configDirectory, vae, variant, caches == null ? null : List.copyOf(caches));
    }
}
