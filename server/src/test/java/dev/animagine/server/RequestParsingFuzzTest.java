package dev.animagine.server;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.io.CheckpointOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any request body given to the JSON parsing and request mapping (A1111 txt2img/img2img, native
 * jobs), and any bytes given to the base64 image decoding and PNG text reading, either map or fail
 * with an {@link ApiException} (a 4xx naming the field); nothing else escapes, and allocation stays
 * proportional to the input (images are sized from their header before decoding). No model is
 * opened: the catalog lists a placeholder file. Seeds run in every build; {@code verify} fuzzes
 * (server/pom.xml, execution fuzz-requests).
 */
class RequestParsingFuzzTest {
    private static final Limits LIMITS = new Limits(1 << 20, 1 << 16, 2048, 2048L * 2048, 150, 16, 20_000);
    private static final ModelHost HOST = host();
    private static final A1111Mapping MAPPING = new A1111Mapping(HOST, LIMITS);
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static int runs;

    private static ModelHost host() {
        try {
            Path dir = Files.createTempDirectory("fuzz-models");
            Files.writeString(dir.resolve("model.safetensors"), "placeholder, never opened");
            Files.createDirectories(dir.resolve("Lora"));
            Files.writeString(dir.resolve("Lora/style.safetensors"), "placeholder");
            dir.toFile().deleteOnExit();
            return new ModelHost(ModelCatalog.of(null, dir, null), CheckpointOptions.DEFAULT, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DictionaryEntries({"\"prompt\"", "\"init_images\"", "\"mask\"", "\"override_settings\"", "\"sd_model_checkpoint\"", "\"animagine\"",
            "\"sampler_name\"", "\"scheduler\"", "\"DPM++ 2M Karras\"", "\"steps\"", "\"width\"", "\"height\"", "\"batch_size\"",
            "\"n_iter\"", "\"seed\"", "\"enable_hr\"", "<lora:style:0.5>", "\"data:image/png;base64,", "iVBORw0KGgo", "\"size\"",
            "\"64x64\"", "\"rating\"", "\"aspect\"", "\"version\"", "../", "1e308", "-1", "null", "true", "[", "{"})
    @FuzzTest(maxDuration = "30s")
    void requestParsing(byte[] data) {
        if (data.length == 0) return;
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            switch (data[0] & 3) {
                case 0 -> a1111(rest, false);
                case 1 -> a1111(rest, true);
                case 2 -> NativeRequests.parse(Json.parseObject(rest), HOST, LIMITS);
                default -> images(rest);
            }
        } catch (ApiException expected) {
            assertThat(expected.status()).isBetween(400, 499);
            assertThat(expected.getMessage()).isNotBlank();
        }
        long used = THREADS.getCurrentThreadAllocatedBytes() - before;
        if (++runs > 20) assertThat(used).as("bytes allocated for a %d-byte input", data.length).isLessThanOrEqualTo(64L * data.length + (32L << 20));
    }

    private static void a1111(byte[] body, boolean img2img) {
        ObjectNode o = Json.parseObject(body);
        Map<String, Object> options = Map.of();
        A1111Mapping.Mapped m = img2img ? MAPPING.img2img(o, options) : MAPPING.txt2img(o, options);
        assertThat(m.spec().request().steps()).isBetween(1, LIMITS.maxSteps());
        assertThat(m.spec().request().batchCount()).isBetween(1, LIMITS.maxImages());
    }

    private static void images(byte[] bytes) {
        PngText.read(bytes);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        for (String candidate : new String[] {text, Base64.getEncoder().encodeToString(bytes), "data:image/png;base64," + text}) {
            try {
                ImageDecoder.Checked checked = ImageDecoder.check("image", candidate, LIMITS.maxImagePixels());
                assertThat((long) checked.width() * checked.height()).isLessThanOrEqualTo(LIMITS.maxImagePixels());
                checked.decode();
            } catch (ApiException expected) {
                assertThat(expected.status()).isBetween(400, 499);
            }
        }
    }
}
