package dev.animagine.core.lora;

import dev.animagine.core.tensor.StoredTensor;

import java.util.Locale;
import java.util.Map;

/**
 * Tells an adapter made for another base model (SD 1.x/2.x, SD3, Flux) from an SDXL one, from
 * the metadata sd-scripts writes ({@code ss_base_model_version}, {@code modelspec.architecture})
 * and from key families only those models have.
 */
final class ForeignBase {
    private ForeignBase() {}

    /** What the file is for, with the evidence (e.g. "SD 1.x (ss_base_model_version 'sd_v1')"), or null if it may be SDXL. */
    static String describe(Map<String, StoredTensor> tensors, Map<String, String> metadata) {
        String version = metadata.get("ss_base_model_version");
        String fromVersion = version == null ? null : fromVersion(version.toLowerCase(Locale.ROOT));
        if (fromVersion != null) return fromVersion + " (ss_base_model_version '" + version + "')";
        String arch = metadata.get("modelspec.architecture");
        String fromArch = arch == null ? null : fromArchitecture(arch.toLowerCase(Locale.ROOT));
        if (fromArch != null) return fromArch + " (modelspec.architecture '" + arch + "')";
        for (Map.Entry<String, StoredTensor> e : tensors.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("lora_te_")) {
                // one text encoder: CLIP-L (768 wide) for SD 1.x, OpenCLIP-H (1024) for SD 2.x
                StoredTensor t = e.getValue();
                String model = k.endsWith("lora_down.weight") && t.rank() >= 2 && t.dim(1) == 1024 ? "SD 2.x" : "SD 1.x";
                return model + " (single text encoder keys 'lora_te_...')";
            }
            if (k.contains("double_blocks") || k.contains("single_blocks") || k.contains("single_transformer_blocks"))
                return "Flux (key '" + k + "')";
            if (k.contains("joint_blocks") || k.contains("context_block"))
                return "SD3 (key '" + k + "')";
            if (k.startsWith("lora_transformer_") || k.startsWith("transformer.") || k.startsWith("diffusion_model."))
                return "a diffusion transformer such as SD3 or Flux (key '" + k + "')";
        }
        return null;
    }

    private static String fromVersion(String v) {
        if (v.startsWith("sdxl")) return null;
        if (v.startsWith("sd_v1") || v.startsWith("sd1")) return "SD 1.x";
        if (v.startsWith("sd_v2") || v.startsWith("sd2")) return "SD 2.x";
        if (v.startsWith("sd3")) return "SD3";
        if (v.startsWith("flux")) return "Flux";
        return null;
    }

    private static String fromArchitecture(String a) {
        if (a.contains("stable-diffusion-xl")) return null;
        if (a.startsWith("stable-diffusion-v1")) return "SD 1.x";
        if (a.startsWith("stable-diffusion-v2")) return "SD 2.x";
        if (a.startsWith("stable-diffusion-v3") || a.startsWith("stable-diffusion-3")) return "SD3";
        if (a.startsWith("flux")) return "Flux";
        return null;
    }
}
