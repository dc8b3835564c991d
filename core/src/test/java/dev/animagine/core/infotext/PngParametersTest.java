package dev.animagine.core.infotext;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.pipeline.PngFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PngParametersTest {
    private static Path png(Path dir, Map<String, String> chunks) throws IOException {
        Path p = dir.resolve("a.png");
        try (OutputStream out = Files.newOutputStream(p)) {
            PngFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), chunks, out);
        }
        return p;
    }

    @Test
    void chunksAreTriedInOrder(@TempDir Path dir) throws IOException {
        Map<String, String> chunks = new LinkedHashMap<>();
        chunks.put("prompt", "{\"3\": {\"class_type\": \"KSampler\", \"inputs\": {}}}");
        chunks.put("parameters", "a\nSteps: 3, Seed: 4, Size: 64x64");
        assertThat(PngParameters.read(png(dir, chunks)).source()).isEqualTo(GenerationParameters.Source.A1111);
    }

    @Test
    void spaceJsonInTheParametersChunk(@TempDir Path dir) throws IOException {
        // the Animagine 4.0 space writes its JSON into "parameters" (utils.save_image)
        GenerationParameters p = PngParameters.read(png(dir, Map.of("parameters",
                "{\"prompt\": \"1girl\", \"negative_prompt\": \"\", \"resolution\": \"832 x 1216\", \"guidance_scale\": 5, "
                        + "\"num_inference_steps\": 28, \"seed\": 7, \"sampler\": \"Euler a\", \"use_upscaler\": null}")));
        assertThat(p.source()).isEqualTo(GenerationParameters.Source.ANIMAGINE_SPACE);
        assertThat(p.size()).isEqualTo(new GenerationParameters.Size(832, 1216));
        assertThat(p.seed()).isEqualTo(7L);
    }

    @Test
    void noParametersAndBadGraphsAreOneLineErrorsNamingTheFile(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> PngParameters.read(png(dir, Map.of("Software", "x"))))
                .isInstanceOf(AnimagineException.class).hasMessageStartingWith(dir.resolve("a.png").toString())
                .hasMessageContaining("no generation parameters");
        Files.delete(dir.resolve("a.png"));
        assertThatThrownBy(() -> PngParameters.read(png(dir, Map.of("prompt", "{\"3\": {\"class_type\": \"KSampler\", \"inputs\": {}}}"))))
                .isInstanceOf(AnimagineException.class).hasMessageContaining("ComfyUI graph not supported");
    }

    /** A zTXt (compressed) parameters chunk, as some tools re-save A1111 images, is read too. */
    @Test
    void compressedTextChunk(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(1);
        h.writeInt(1);
        h.write(new byte[] {8, 2, 0, 0, 0});
        chunk(out, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        z.write("parameters".getBytes(StandardCharsets.ISO_8859_1));
        z.write(new byte[] {0, 0}); // keyword terminator, compression method 0
        z.write(deflate("a cat\nSteps: 5, Sampler: Euler, Seed: 6, Size: 8x8".getBytes(StandardCharsets.ISO_8859_1)));
        chunk(out, "zTXt", z.toByteArray());
        chunk(out, "IDAT", deflate(new byte[] {0, 0, 0, 0}));
        chunk(out, "IEND", new byte[0]);
        Path p = dir.resolve("z.png");
        Files.write(p, file.toByteArray());
        GenerationParameters params = PngParameters.read(p);
        assertThat(params.prompt()).isEqualTo("a cat");
        assertThat(params.steps()).isEqualTo(5);
    }

    private static byte[] deflate(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(b)) {
            d.write(data);
        }
        return b.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
