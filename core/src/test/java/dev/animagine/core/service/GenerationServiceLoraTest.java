package dev.animagine.core.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.PipelineCases;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LoRAs per request on one loaded model: every pipeline case of lora/index.json in turn (adapter A,
 * then B, ...), then none, then the cycle again; each adapted run matches diffusers (final latents
 * within 1e-3·max(1, max|ref|)), the runs without adapters are bit for bit the run made before any
 * adapter, no adapter file stays mapped after its request, and the heap does not grow from cycle to
 * cycle. Prompt tags, infotext and bad adapters are checked too.
 */
class GenerationServiceLoraTest {
    static final String FILE = "lora/lora.safetensors";

    static List<JsonNode> cases() {
        List<JsonNode> cases = new ArrayList<>();
        Fixtures.json("lora/index.json").get("pipeline_cases").forEach(cases::add);
        assertThat(cases).isNotEmpty();
        return cases;
    }

    static List<LoraStack.Request> loras(JsonNode c) {
        List<LoraStack.Request> out = new ArrayList<>();
        for (JsonNode l : c.get("loras")) {
            float w = (float) l.get("weight").asDouble();
            out.add(new LoraStack.Request(Fixtures.resolveIndexPath(l.get("file").asText()), w, w));
        }
        return out;
    }

    /** A LoRA pipeline case's request without its adapters (diffusers mode, default size conditioning). */
    static ImageRequest request(JsonNode c) {
        JsonNode a = c.get("pipeline_args");
        return ImageRequest.builder()
                .prompt(a.get("prompt").asText())
                .negativePrompt(a.get("negative_prompt").isNull() ? null : a.get("negative_prompt").asText())
                .compat(Compat.DIFFUSERS)
                .size(a.get("width").asInt(), a.get("height").asInt())
                .steps(a.get("num_inference_steps").asInt())
                .cfgScale(a.get("guidance_scale").asDouble())
                .sampler(PipelineCases.sampler(c).id())
                .schedule(PipelineCases.schedule(c).id())
                .seed(PipelineCases.seed(c))
                .build();
    }

    static void assertFixture(JsonNode c, GenerationResult r) {
        assertThat(r.status()).isEqualTo(GenerationResult.Status.DONE);
        float[] ref = Fixtures.tensor(FILE, c.get("expected").get("final_latents").get("key").asText()).toFloats();
        double maxRef = 1;
        for (float v : ref) maxRef = Math.max(maxRef, Math.abs(v));
        Close.assertClose(c.get("id").asText() + " final latents", r.images().getFirst().result().latents().data(), ref, 1e-3 * maxRef, 0);
    }

    @Test
    void switchingAdaptersBetweenRequestsLeaksNothing() throws Exception {
        Map<String, List<JsonNode>> byModel = cases().stream().collect(Collectors.groupingBy(c -> c.get("model").get("path").asText()));
        for (Map.Entry<String, List<JsonNode>> m : byModel.entrySet()) {
            List<JsonNode> cs = m.getValue();
            try (GenerationService service = GenerationServiceTest.service(m.getKey())) {
                // the mapping check below can fail: an open adapter is mapped
                LoraStack.Request first = loras(cs.getFirst()).getFirst();
                try (LoraStack open = LoraStack.open(service.checkpoint().architecture(), List.of(first))) {
                    assertThat(mappedFiles()).contains(first.path().toRealPath().toString());
                }
                ImageRequest plain = request(cs.getFirst());
                float[] before = latents(service.generate(plain, RunControl.silent()));
                long heapAfterFirstCycle = 0;
                for (int cycle = 0; cycle < 3; cycle++) {
                    for (JsonNode c : cs) {
                        ImageRequest req = request(c).toBuilder().loras(loras(c)).build();
                        assertFixture(c, service.generate(req, RunControl.silent()));
                        for (LoraStack.Request l : loras(c))
                            assertThat(mappedFiles()).as("mappings after the request").doesNotContain(l.path().toRealPath().toString());
                    }
                    assertThat(latents(service.generate(plain, RunControl.silent()))).as("no adapter after adapters").isEqualTo(before);
                    if (cycle == 0) heapAfterFirstCycle = usedHeap();
                }
                long growth = usedHeap() - heapAfterFirstCycle;
                assertThat(growth).as("heap growth over two more cycles, bytes").isLessThan(16L << 20);
            }
        }
    }

    @Test
    void promptTagsAreResolvedInTheLoraFolderAndRecorded() throws Exception {
        JsonNode c = cases().getFirst();
        JsonNode l = c.get("loras").get(0);
        Path file = Fixtures.resolveIndexPath(l.get("file").asText());
        String name = file.getFileName().toString().replace(".safetensors", "");
        String weight = l.get("weight").asText();
        try (GenerationService service = GenerationServiceTest.service(c.get("model").get("path").asText())) {
            ImageRequest base = request(c);
            String tag = "<lora:" + name + ":" + weight + ">";
            ImageRequest tagged = base.toBuilder().prompt(base.prompt() + " " + tag).loraDir(file.getParent()).build();
            PreparedRequest p = service.prepare(tagged);
            assertThat(p.loras()).singleElement().satisfies(a -> {
                assertThat(a.file()).isEqualTo(file);
                assertThat(a.name()).isEqualTo(name);
            });
            GenerationResult r = service.generate(p, RunControl.silent());
            assertFixture(c, r);
            String params = r.images().getFirst().parameters();
            assertThat(params).startsWith(base.prompt() + " " + tag + "\n")
                    .contains(", Lora hashes: \"" + name + ": " + addnetHash(file).substring(0, 12) + "\", Version: ");

            // the same adapter given as a file: same image, recorded as the same tag
            GenerationResult byFile = service.generate(base.toBuilder().loras(loras(c)).build(), RunControl.silent());
            assertThat(latents(byFile)).isEqualTo(latents(r));
            assertThat(byFile.images().getFirst().prompt()).isEqualTo(base.prompt() + " " + tag);

            // a bare name given as a file is looked up in the folder too
            PreparedRequest byName = service.prepare(base.toBuilder().loraDir(file.getParent())
                    .loras(List.of(new LoraStack.Request(Path.of(name), 0.5f, 0.25f))).build());
            assertThat(byName.loras()).singleElement().isEqualTo(new AppliedLora(name, file, 0.5f, 0.25f));
            assertThat(byName.images().getFirst().prompt()).isEqualTo(base.prompt() + " <lora:" + name + ":0.5:0.25>");

            assertThatThrownBy(() -> service.prepare(base.toBuilder().prompt("x <lora:no_such_lora:1>").loraDir(file.getParent()).build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no_such_lora").hasMessageContaining("not found");
        }
    }

    @Test
    void a1111PromptsEncodeTheTextWithoutTheTags() {
        JsonNode c = cases().getFirst();
        Path file = Fixtures.resolveIndexPath(c.get("loras").get(0).get("file").asText());
        String name = file.getFileName().toString().replace(".safetensors", "");
        try (GenerationService service = GenerationServiceTest.service(c.get("model").get("path").asText())) {
            ImageRequest plain = ImageRequest.builder().prompt("1girl, solo, smile").verbatim(true).size(64, 64).steps(1).seed(3).build();
            // text-encoder weight 0: the conditioning is the plain prompt's, the UNet part still changes the image
            ImageRequest tagged = plain.toBuilder().prompt("1girl, solo, smile <lora:" + name + ":0:1>").loraDir(file.getParent()).build();
            var a = service.generate(plain, RunControl.silent()).images().getFirst().result();
            var b = service.generate(tagged, RunControl.silent()).images().getFirst().result();
            assertThat(b.conditioning().positive().hiddenStates()).isEqualTo(a.conditioning().positive().hiddenStates());
            assertThat(b.conditioning().positive().tokens()).isEqualTo(a.conditioning().positive().tokens());
            assertThat(b.latents().data()).isNotEqualTo(a.latents().data());
        }
    }

    @Test
    void foreignAndPartlyUnknownAdaptersAreReportedOnce() {
        JsonNode c = cases().getFirst();
        Path dir = Fixtures.resolveIndexPath(c.get("loras").get(0).get("file").asText()).getParent();
        try (GenerationService service = GenerationServiceTest.service(c.get("model").get("path").asText())) {
            ImageRequest base = request(c);
            Path sd15 = dir.resolve("sd15_lora_reject.safetensors");
            assertThatThrownBy(() -> service.prepare(base.toBuilder().loras(List.of(new LoraStack.Request(sd15, 1, 1))).build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("sd15_lora_reject.safetensors").hasMessageNotContaining("\n");
            Path unknown = dir.resolve("kohya_unknown_keys.safetensors");
            PreparedRequest p = service.prepare(base.toBuilder().loras(List.of(new LoraStack.Request(unknown, 1, 1))).build());
            assertThat(p.loraWarnings()).singleElement().asString().contains("kohya_unknown_keys.safetensors");
            assertThatThrownBy(() -> service.prepare(base.toBuilder().loras(List.of(new LoraStack.Request(dir.resolve("missing.safetensors"), 1, 1))).build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("missing.safetensors");
        }
    }

    private static float[] latents(GenerationResult r) {
        return r.images().getFirst().result().latents().data();
    }

    /** The files mapped into this process now (Linux). */
    private static String mappedFiles() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        return Files.isReadable(maps) ? Files.readString(maps) : "";
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** sha256 of the bytes after the safetensors header (A1111's addnet hash), computed here independently. */
    private static String addnetHash(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        long header = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(all, (int) (8 + header), all.length - (int) (8 + header));
        return HexFormat.of().formatHex(d.digest());
    }
}
