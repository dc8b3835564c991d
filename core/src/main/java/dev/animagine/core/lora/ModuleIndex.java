package dev.animagine.core.lora;

import dev.animagine.core.io.Component;
import dev.animagine.core.io.SdxlArchitecture;
import dev.animagine.core.io.SdxlKeys;
import dev.animagine.core.io.TensorSpec;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every module of a model an adapter key can name, built by enumerating the model's own module
 * paths (never by splitting underscores): kohya names ({@code lora_unet_} + the SGM or the diffusers
 * path with {@code .} replaced by {@code _}, {@code lora_te1_}/{@code lora_te2_} + the Hugging Face
 * CLIP path) and diffusers/PEFT names ({@code unet.}, {@code text_encoder.}, {@code text_encoder_2.}
 * + the path). A module is any weight of rank 2 or 4 (linear or convolution).
 */
public final class ModuleIndex {
    /** A resolved name: the target and whether it was found under its SGM (single-file) path. */
    public record Hit(Target target, boolean sgm) {}

    private final Map<String, Hit> byName = new HashMap<>();
    private final Set<String> ambiguous = new HashSet<>();

    public ModuleIndex(SdxlArchitecture arch) {
        for (Component c : new Component[] {Component.UNET, Component.TEXT_ENCODER, Component.TEXT_ENCODER_2}) {
            Set<String> biases = new HashSet<>();
            for (TensorSpec s : SdxlKeys.of(arch, c)) if (s.name().endsWith(".bias")) biases.add(s.name());
            for (TensorSpec s : SdxlKeys.of(arch, c)) {
                if (!s.name().endsWith(".weight") || (s.shape().length != 2 && s.shape().length != 4)) continue;
                String module = s.name().substring(0, s.name().length() - ".weight".length());
                Target t = new Target(c, module, s.shape(), biases.contains(module + ".bias"));
                switch (c) {
                    case UNET -> {
                        put("lora_unet_" + underscores(module), new Hit(t, false));
                        String sgm = s.sgmName().substring(c.sgmPrefix().length(), s.sgmName().length() - ".weight".length());
                        put("lora_unet_" + underscores(sgm), new Hit(t, true));
                        put("unet." + module, new Hit(t, false));
                    }
                    case TEXT_ENCODER -> {
                        put("lora_te1_" + underscores(module), new Hit(t, false));
                        put("text_encoder." + module, new Hit(t, false));
                    }
                    case TEXT_ENCODER_2 -> {
                        put("lora_te2_" + underscores(module), new Hit(t, false));
                        put("text_encoder_2." + module, new Hit(t, false));
                    }
                    default -> { }
                }
            }
        }
    }

    private void put(String name, Hit hit) {
        Hit old = byName.putIfAbsent(name, hit);
        // one name for two modules (SGM and diffusers paths colliding) would be ambiguous: keep neither
        if (old != null && !old.target().module().equals(hit.target().module())) ambiguous.add(name);
    }

    private static String underscores(String path) {
        return path.replace('.', '_');
    }

    /** The module a key prefix names ({@code lora_unet_...}, {@code unet.<path>}, ...). */
    public Optional<Hit> find(String name) {
        if (ambiguous.contains(name)) return Optional.empty();
        return Optional.ofNullable(byName.get(name));
    }
}
