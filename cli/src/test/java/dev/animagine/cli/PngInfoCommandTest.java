package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.pipeline.PngFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PngInfoCommandTest {
    private static final String A1111 = "1girl, solo\nNegative prompt: lowres\n"
            + "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 5, Seed: 42, Size: 832x1216, Model hash: 0123456789, "
            + "ADetailer model: face_yolov8n.pt, Lora hashes: \"a: 1, b: 2\", Version: v1.10.1";

    private static Path png(Path dir, Map<String, String> chunks) throws Exception {
        Path p = dir.resolve("a.png");
        try (OutputStream out = Files.newOutputStream(p)) {
            PngFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), chunks, out);
        }
        return p;
    }

    @Test
    void textOutputIsTheParametersChunkUnchanged(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("png-info", png(dir, Map.of("parameters", A1111)).toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(A1111 + System.lineSeparator());
    }

    @Test
    void jsonOutputHasTheParsedFieldsAndUnknownKeys(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("png-info", "--json", png(dir, Map.of("parameters", A1111)).toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("source").asText()).isEqualTo("A1111");
        assertThat(j.get("prompt").asText()).isEqualTo("1girl, solo");
        assertThat(j.get("negativePrompt").asText()).isEqualTo("lowres");
        assertThat(j.get("steps").asInt()).isEqualTo(28);
        assertThat(j.get("sampler").asText()).isEqualTo("DPM++ 2M");
        assertThat(j.get("scheduleType").asText()).isEqualTo("Karras");
        assertThat(j.get("size").get("width").asInt()).isEqualTo(832);
        assertThat(j.get("size").get("height").asInt()).isEqualTo(1216);
        assertThat(j.get("clipSkip").asInt()).isEqualTo(1);
        assertThat(j.get("rng").asText()).isEqualTo("GPU");
        assertThat(j.get("loraHashes").get("b").asText()).isEqualTo("2");
        assertThat(j.get("unknownKeys").get(0).asText()).isEqualTo("ADetailer model");
        assertThat(j.get("hires").isNull()).isTrue();
    }

    @Test
    void jsonReadsTheAnimagineSpaceAndComfyUiChunks(@TempDir Path dir) throws Exception {
        Map<String, String> chunks = new LinkedHashMap<>();
        chunks.put("metadata", "{\"prompt\": \"1girl\", \"negative_prompt\": \"lowres\", \"resolution\": \"896 x 1152\", "
                + "\"guidance_scale\": 7, \"num_inference_steps\": 28, \"seed\": 5, \"sampler\": \"Euler a\", \"use_upscaler\": null}");
        CliRun r = CliRun.of("png-info", "--json", png(dir, chunks).toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("source").asText()).isEqualTo("ANIMAGINE_SPACE");
        assertThat(j.get("size").get("height").asInt()).isEqualTo(1152);
        assertThat(j.get("rng").asText()).isEqualTo("CPU");
    }

    @Test
    void jsonWithoutParametersIsAOneLineError(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("png-info", "--json", png(dir, Map.of("Software", "x")).toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).contains("a.png").contains("no generation parameters").doesNotContain("\n");
    }
}
