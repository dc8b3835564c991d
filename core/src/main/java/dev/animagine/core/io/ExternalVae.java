package dev.animagine.core.io;

import dev.animagine.core.tensor.Weights;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.vae.VaeConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A VAE given on its own ({@code --vae}): an SGM file with bare {@code encoder.*}/{@code decoder.*}
 * keys (sdxl-vae-fp16-fix's {@code sdxl_vae.safetensors}), the VAE inside another single-file
 * checkpoint ({@code first_stage_model.*}), a diffusers-named file (with its {@code config.json}
 * beside it, if any), or a diffusers VAE folder / pipeline folder.
 */
record ExternalVae(VaeConfig config, Weights weights, List<SafetensorsFile> files, List<String> ignored) {

    static ExternalVae load(Path path, String variant) {
        Path file = path;
        ComponentConfigs configs = ComponentConfigs.NONE;
        if (Files.isDirectory(path)) {
            boolean pipeline = Files.isDirectory(path.resolve(Component.VAE.folder()));
            Path vaeDir = pipeline ? path.resolve(Component.VAE.folder()) : path;
            DiffusersFolder.ComponentFiles cf = DiffusersFolder.openComponentDir(vaeDir, Component.VAE, variant);
            ComponentConfigs cc = Files.isRegularFile(vaeDir.resolve("config.json"))
                    ? ComponentConfigs.single(Component.VAE, vaeDir.resolve("config.json")) : ComponentConfigs.NONE;
            return build(path.toString(), cf.tensors(), cc, cf.files(), new ArrayList<>());
        }
        if (!Files.isRegularFile(file)) throw new AnimagineException(path + ": VAE file not found");
        FileKind.requireSafetensors(file);
        SafetensorsFile f = SafetensorsFile.open(file);
        try {
            Map<String, StoredTensor> raw = f.tensors();
            boolean diffusersNames = raw.keySet().stream().anyMatch(k -> k.startsWith("encoder.down_blocks.") || k.startsWith("decoder.up_blocks."));
            List<String> ignored = new ArrayList<>();
            Map<String, StoredTensor> named;
            if (diffusersNames) {
                named = raw;
                Path cfg = file.toAbsolutePath().resolveSibling("config.json");
                if (Files.isRegularFile(cfg)) configs = ComponentConfigs.single(Component.VAE, cfg);
            } else {
                boolean prefixed = raw.keySet().stream().anyMatch(k -> k.startsWith(Component.VAE.sgmPrefix()));
                SgmToDiffusers.Result r = SgmToDiffusers.convert(raw, prefixed ? Component.VAE.sgmPrefix() : "");
                named = r.components().get(Component.VAE);
                if (named.isEmpty())
                    throw new AnimagineException(file + ": is not a VAE (no encoder.*/decoder.* or first_stage_model.* weights)");
                if (!prefixed) ignored.addAll(r.ignored());
            }
            return build(file.toString(), named, configs, List.of(f), ignored);
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    private static ExternalVae build(String origin, Map<String, StoredTensor> named, ComponentConfigs configs,
                                     List<SafetensorsFile> files, List<String> ignored) {
        try {
            VaeConfig cfg = ArchitectureDetector.detectVae(named, configs, origin);
            SdxlArchitecture probe = SdxlArchitecture.SDXL.withVae(cfg);
            Weights w = WeightsValidator.validate(probe, Component.VAE, named, origin, ignored);
            return new ExternalVae(cfg, w, files, ignored);
        } catch (RuntimeException | Error e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }
}
