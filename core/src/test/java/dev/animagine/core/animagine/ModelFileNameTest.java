package dev.animagine.core.animagine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Versions read from checkpoint names as Hugging Face, Civitai and diffusers folders spell them. */
class ModelFileNameTest {

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "animagine-xl-4.0-opt.safetensors             | 4.0 | Opt",
            "animagine-xl-4.0-zero.safetensors            | 4.0 | Zero",
            "animagine-xl-4.0.safetensors                 | 4.0 | ''",
            "/models/Stable-diffusion/animagineXL40_v4Opt.safetensors | 4.0 | Opt",
            "animagineXL40_v4Zero.safetensors             | 4.0 | Zero",
            "animagineXL40_v40.safetensors                | 4.0 | ''",
            "animagineXLV31_v31.safetensors               | 3.1 | ''",
            "animagine-xl-3.1.safetensors                 | 3.1 | ''",
            "Animagine XL 3.1.safetensors                 | 3.1 | ''",
            "animagine-xl-3.0                             | 3.0 | ''",
            "animagine-xl-3.0.safetensors                 | 3.0 | ''",
            "animagineXLV3_v30.safetensors                | 3.0 | ''",
            "animagine_xl_3_1.safetensors                 | 3.1 | ''",
            "animagine-xl-3-1024px-merge.safetensors      | 3.0 | ''",
            "/hf/models--cagliostrolab--animagine-xl-4.0/snapshots/0123abc/unet | 4.0 | ''",
            "/home/u/animagine-xl-3.1/model_index.json    | 3.1 | ''",
            "animagine-xl-2.0.safetensors                 | 2.0 | ''",
    })
    void versionFromName(String path, String number, String edition) {
        ModelFileName m = ModelFileName.of(path).orElseThrow();
        assertThat(m.number()).isEqualTo(number);
        assertThat(m.edition()).isEqualTo(edition);
    }

    @ParameterizedTest(name = "{0}: no version")
    @CsvSource({"sd_xl_base_1.0.safetensors", "/home/animagine3/model.safetensors", "ponyDiffusionV6XL.safetensors", "animagine.safetensors"})
    void noVersion(String path) {
        assertThat(ModelFileName.of(path)).isEmpty();
    }

    @Test
    void unsupportedVersionFallsBackTo40WithAWarning() {
        PromptResult r = new PromptBuilder().build(PromptRequest.builder().model("animagine-xl-2.0.safetensors").tags("1girl").build());
        assertThat(r.version()).isEqualTo(AnimagineVersion.V4_0);
        assertThat(r.warnings()).extracting(PromptWarning::code).containsExactly(PromptWarning.VERSION);
        assertThat(r.warnings().getFirst().message()).contains("animagine-xl-2.0.safetensors", "Animagine XL 2.0", "--animagine");
    }

    @Test
    void flagWinsOverTheNameAndSaysSo() {
        PromptResult r = new PromptBuilder().build(PromptRequest.builder().model("animagine-xl-3.1.safetensors")
                .version(AnimagineVersion.V3_0).tags("1girl").build());
        assertThat(r.version()).isEqualTo(AnimagineVersion.V3_0);
        assertThat(r.warnings()).extracting(PromptWarning::message)
                .containsExactly("--animagine 3.0 overrides the model file name 'animagine-xl-3.1.safetensors', which says Animagine XL 3.1");
    }

    @Test
    void nameDecidesWithoutFlagAndDefaultIs40() {
        assertThat(new PromptBuilder().build(PromptRequest.builder().model("x/animagineXL40_v4Opt.safetensors").build()).version())
                .isEqualTo(AnimagineVersion.V4_0);
        assertThat(new PromptBuilder().build(PromptRequest.builder().model("animagineXLV3_v30.safetensors").build()).version())
                .isEqualTo(AnimagineVersion.V3_0);
        assertThat(new PromptBuilder().build(PromptRequest.builder().model("sd_xl_base_1.0.safetensors").build()).version())
                .isEqualTo(AnimagineVersion.V4_0);
        assertThat(new PromptBuilder().build(PromptRequest.builder().build()).version()).isEqualTo(AnimagineVersion.V4_0);
    }
}
