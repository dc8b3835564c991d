package dev.animagine.core.infotext;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.text.PromptMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestMappingTest {
    private static final GenerationRequest BASE = GenerationRequest.of("base", null, 1024, 1024, 28, 5, Sampler.EULER_A,
            ScheduleType.DEFAULT, 1L, PromptMode.DIFFUSERS);

    private static RequestMapping.Mapped map(String infotext) {
        return RequestMapping.toRequest(PngParameters.fromText(infotext), BASE);
    }

    @Test
    void automaticMeansTheSamplersDefaultSinceA1111_19() {
        assertThat(map("p\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Automatic, Seed: 3, Version: v1.10.1").request().schedule())
                .isEqualTo(ScheduleType.KARRAS);
        assertThat(map("p\nSteps: 20, Sampler: DPM++ 2M, Seed: 3, Version: f2.0.1v1.10.1-previous-669").request().schedule())
                .isEqualTo(ScheduleType.KARRAS);
        // before schedule types the plain name meant the model's own sigmas ("Karras" was part of the name)
        assertThat(map("p\nSteps: 20, Sampler: DPM++ 2M, Seed: 3, Version: v1.6.0").request().schedule()).isEqualTo(ScheduleType.DEFAULT);
        assertThat(map("p\nSteps: 20, Sampler: DPM++ 2M Karras, Seed: 3, Version: v1.6.0").request().schedule()).isEqualTo(ScheduleType.KARRAS);
        assertThat(map("p\nSteps: 20, Sampler: Euler a, Schedule type: Automatic, Seed: 3").request().schedule()).isEqualTo(ScheduleType.DEFAULT);
        // ours: Automatic is the scheduler config's schedule
        assertThat(map("p\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Automatic, Seed: 3, Version: animagine-java dev").request().schedule())
                .isEqualTo(ScheduleType.DEFAULT);
        assertThat(RequestMapping.versionAtLeast19("f0.0.17v1.8.0rc-latest-276-g29be1da7")).isFalse();
        assertThat(RequestMapping.versionAtLeast19("1.9.0")).isTrue();
    }

    @Test
    void statedFieldsOverrideTheBaseAndA1111TextsUseA1111Encoding() {
        GenerationRequest r = map("a\nNegative prompt: b\nSteps: 20, Sampler: Euler, CFG scale: 6.5, Seed: 4294967295, Size: 832x1216, Clip skip: 2, RNG: CPU").request();
        assertThat(r.prompt()).isEqualTo("a");
        assertThat(r.negativePrompt()).isEqualTo("b");
        assertThat(r.steps()).isEqualTo(20);
        assertThat(r.cfgScale()).isEqualTo(6.5);
        assertThat(r.seed()).isEqualTo(4294967295L);
        assertThat(r.width()).isEqualTo(832);
        assertThat(r.targetHeight()).isEqualTo(1216);
        assertThat(r.clipSkip()).isEqualTo(2);
        assertThat(r.promptMode()).isEqualTo(PromptMode.A1111);
        assertThat(r.sampler()).isEqualTo(Sampler.EULER);
        GenerationRequest sparse = map("a\nSeed: 9, Model: m, Model hash: h").request();
        assertThat(sparse.steps()).isEqualTo(28);
        assertThat(sparse.width()).isEqualTo(1024);
        assertThat(sparse.sampler()).isEqualTo(Sampler.EULER_A);
    }

    @Test
    void whatIsNotReproducedIsListed() {
        RequestMapping.Mapped m = map("x <lora:a:1>\nSteps: 20, Sampler: Euler a, Seed: 3, ENSD: 31337, Hires upscale: 2, Hires upscaler: Latent, "
                + "Denoising strength: 0.5, ADetailer model: face_yolov8n.pt, Lora hashes: \"a: 123\"");
        assertThat(m.warnings()).anyMatch(w -> w.startsWith("RNG GPU"))
                .anyMatch(w -> w.startsWith("ENSD 31337"))
                .anyMatch(w -> w.startsWith("hires fix (upscale 2.0, Latent)"))
                .anyMatch(w -> w.startsWith("LoRAs in the prompt (a)"))
                .anyMatch(w -> w.equals("not understood, ignored: ADetailer model"));
    }

    @Test
    void unavailableSamplersAndSchedulesAreRefusedByName() {
        assertThatThrownBy(() -> map("p\nSteps: 20, Sampler: DPM++ SDE Karras, Seed: 3"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Sampler 'DPM++ SDE'").hasMessageContaining("Euler a");
        assertThatThrownBy(() -> map("p\nSteps: 20, Sampler: Euler, Schedule type: Exponential, Seed: 3"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Schedule type 'Exponential'");
        assertThatThrownBy(() -> map("p\nSteps: 20, Sampler: Euler a, Schedule type: Karras, Seed: 3"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("Euler a with the Karras schedule");
    }

    @Test
    void comfyUiOutsideThePlainGraphIsRefusedNamingTheNode() {
        String graph = """
                {"3": {"class_type": "KSampler", "inputs": {"cfg": 8, "denoise": 1, "latent_image": ["5", 0], "model": ["10", 0],
                  "negative": ["7", 0], "positive": ["6", 0], "sampler_name": "euler", "scheduler": "karras", "seed": 1, "steps": 20}},
                 "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}},
                 "10": {"class_type": "LoraLoader", "inputs": {"lora_name": "l.safetensors", "model": ["4", 0], "clip": ["4", 1]}},
                 "5": {"class_type": "EmptyLatentImage", "inputs": {"batch_size": 1, "height": 64, "width": 64}},
                 "6": {"class_type": "CLIPTextEncode", "inputs": {"clip": ["4", 1], "text": "a"}},
                 "7": {"class_type": "CLIPTextEncode", "inputs": {"clip": ["4", 1], "text": "b"}}}""";
        assertThatThrownBy(() -> PngParameters.fromText(graph)).isInstanceOf(AnimagineException.class)
                .hasMessageContaining("node 10 (LoraLoader)");
        GenerationParameters plain = PngParameters.fromText(graph.replace("[\"10\", 0]", "[\"4\", 0]"));
        assertThat(plain.scheduleType()).isEqualTo("Karras");
        assertThat(RequestMapping.toRequest(plain, BASE).request().schedule()).isEqualTo(ScheduleType.KARRAS);
    }
}
