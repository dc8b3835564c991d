package dev.animagine.core.infotext;

import dev.animagine.core.pipeline.GenerationRequest;
import dev.animagine.core.pipeline.ImageOutput;
import dev.animagine.core.pipeline.PngFiles;
import dev.animagine.core.sampling.Sampler;
import dev.animagine.core.sampling.ScheduleType;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.EmphasisMode;
import dev.animagine.core.text.PromptMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What this engine writes into a PNG is read back to the same request, for requests that vary every written field. */
class InfotextRoundTripTest {
    private static List<GenerationRequest> requests() {
        return List.of(
                GenerationRequest.of("1girl, solo, (smile:1.2)", "lowres, bad anatomy", 832, 1216, 28, 5.0,
                        Sampler.EULER_A, ScheduleType.DEFAULT, 42L, PromptMode.A1111),
                GenerationRequest.of("multi\nline prompt: with colon, and \"quotes\" BREAK 日本語", "", 1024, 1024, 1, 4.5,
                        Sampler.DPMPP_2M, ScheduleType.DEFAULT, -1L, PromptMode.A1111),
                GenerationRequest.of("x", null, 64, 128, 50, 1.0, Sampler.DPMPP_2M, ScheduleType.KARRAS, 4294967295L, PromptMode.DIFFUSERS),
                new GenerationRequest("castle", "blurry, (worst quality:1.4)", 1216, 832, 30, 7.25, Sampler.UNIPC, ScheduleType.KARRAS,
                        123456789012L, PromptMode.A1111, new A1111Settings(EmphasisMode.NO_NORM, 20), 2, 2048, 1664, 16, 32, 1024, 768),
                GenerationRequest.of("a", "b", 512, 512, 20, 7.0, Sampler.DDIM, ScheduleType.DEFAULT, 0L, PromptMode.A1111),
                GenerationRequest.of("e", "f", 768, 768, 12, 3.0, Sampler.EULER, ScheduleType.KARRAS, 7L, PromptMode.A1111));
    }

    @Test
    void writtenParametersReadBackToTheSameRequest(@TempDir Path dir) throws Exception {
        GenerationRequest base = GenerationRequest.of("base", "base", 256, 256, 99, 9.0, Sampler.EULER, ScheduleType.DEFAULT, 999L, PromptMode.A1111);
        int i = 0;
        for (GenerationRequest q : requests()) {
            String text = ImageOutput.infotext(q, "0123abcdef", "animagine-xl-4.0", i % 2 == 0 ? null : "sdxl_vae.safetensors").format();
            Path png = dir.resolve(i++ + ".png");
            try (OutputStream out = Files.newOutputStream(png)) {
                PngFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), Map.of("parameters", text), out);
            }
            GenerationParameters p = PngParameters.read(png);
            assertThat(p.unknownKeys()).as(text).isEmpty();
            assertThat(p.invalidValues()).as(text).isEmpty();
            assertThat(p.modelHash()).isEqualTo("0123abcdef");
            assertThat(p.model()).isEqualTo("animagine-xl-4.0");
            RequestMapping.Mapped m = RequestMapping.toRequest(p, base);
            GenerationRequest back = m.request();
            // the writer omits an empty negative prompt, which reads back as none (the same conditioning in A1111 mode)
            GenerationRequest expected = "".equals(q.negativePrompt()) ? withNegative(q, null) : q;
            assertThat(back).as(text).isEqualTo(expected);
            assertThat(m.warnings()).as(text).allMatch(w -> w.startsWith("made with the VAE"));
            assertThat(RequestMapping.modelMismatch(p, "0123abcdef")).isEmpty();
            assertThat(RequestMapping.modelMismatch(p, "ffffffffff")).isPresent();
        }
    }

    private static GenerationRequest withNegative(GenerationRequest q, String negative) {
        return new GenerationRequest(q.prompt(), negative, q.width(), q.height(), q.steps(), q.cfgScale(), q.sampler(), q.schedule(), q.seed(),
                q.promptMode(), q.a1111(), q.clipSkip(), q.originalWidth(), q.originalHeight(), q.cropTop(), q.cropLeft(),
                q.targetWidth(), q.targetHeight());
    }
}
