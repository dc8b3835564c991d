package dev.animagine.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.testing.Close;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Both SDXL text towers against open_clip's outputs on the fixture models, from the stored token ids. */
class ClipTextModelTest {
    static final double ATOL = 1e-4, RTOL = 1e-4;
    static final String FILE = "text_encoders/text_encoders.safetensors";

    @TestFactory
    List<DynamicTest> towersMatchReference() {
        List<DynamicTest> tests = new ArrayList<>();
        JsonNode index = Fixtures.json("text_encoders/index.json");
        for (JsonNode set : index.get("model_sets")) {
            Checkpoint ckpt = TestModels.open(set.get("model").get("path").asText());
            ClipTextModel l = new ClipTextModel(ckpt.architecture().textEncoder(), ckpt.textEncoder());
            ClipTextModel g = new ClipTextModel(ckpt.architecture().textEncoder2(), ckpt.textEncoder2());
            Path folder = ckpt.layout().equals("diffusers") ? ckpt.path() : TestModels.diffusersFolderOf(ckpt.path());
            PromptTokenizer tokenizer = new PromptTokenizer(TokenizerLocator.find(folder, null), PromptMode.DIFFUSERS);
            SdxlTextEncoder encoder = new SdxlTextEncoder(l, g);
            for (JsonNode id : set.get("cases")) {
                JsonNode c = caseById(index, id.asText());
                if (!c.get("kind").asText().equals("encode")) continue;
                tests.add(DynamicTest.dynamicTest(id.asText(), () -> check(c, l, g)));
                tests.add(DynamicTest.dynamicTest(id.asText() + " from the prompt", () -> {
                    TokenizedPrompt tp = tokenizer.tokenize(c.get("inputs").get("prompt").asText());
                    assertThat(tp.chunks()).hasSize(1);
                    assertThat(tp.chunks().getFirst().encoder1Ids()).containsExactly(ids(c, "input_ids_tokenizer")[0]);
                    assertThat(tp.chunks().getFirst().encoder2Ids()).containsExactly(ids(c, "input_ids_tokenizer_2")[0]);
                    SdxlTextEncoder.Embedding e = encoder.encode(tp, 1);
                    Close.assertClose("prompt_embeds", e.hiddenStates(), expected(c, "prompt_embeds"), ATOL, RTOL);
                    Close.assertClose("pooled_prompt_embeds", e.pooled(), expected(c, "pooled_prompt_embeds"), ATOL, RTOL);
                }));
            }
        }
        return tests;
    }

    static JsonNode caseById(JsonNode index, String id) {
        for (JsonNode c : index.get("cases")) if (c.get("id").asText().equals(id)) return c;
        throw new IllegalArgumentException(id);
    }

    static int[][] ids(JsonNode c, String key) {
        StoredTensor t = Fixtures.tensor(FILE, c.get("expected").get(key).get("key").asText());
        int[] r = new int[(int) t.numel()];
        for (int i = 0; i < r.length; i++) r[i] = (int) t.getLong(i);
        return new int[][] {r};
    }

    static float[] expected(JsonNode c, String key) {
        return Fixtures.tensor(FILE, c.get("expected").get(key).get("key").asText()).toFloats();
    }

    private void check(JsonNode c, ClipTextModel l, ClipTextModel g) {
        ClipTextModel.Output ol = l.forward(ids(c, "input_ids_tokenizer"), 1);
        ClipTextModel.Output og = g.forward(ids(c, "input_ids_tokenizer_2"), 1);
        Close.assertClose("clip_l_penultimate", ol.penultimate(), expected(c, "clip_l_penultimate"), ATOL, RTOL);
        Close.assertClose("clip_g_penultimate", og.penultimate(), expected(c, "clip_g_penultimate"), ATOL, RTOL);
        Close.assertClose("clip_g_pooled_projected", og.pooled(), expected(c, "clip_g_pooled_projected"), ATOL, RTOL);
    }

    /** Batching a prompt with its negative changes nothing: rows are independent and emphasis is per prompt. */
    @org.junit.jupiter.api.Test
    void encodingPromptsTogetherEqualsEncodingThemAlone() {
        JsonNode set = Fixtures.json("text_encoders/index.json").get("model_sets").get(0);
        Checkpoint ckpt = TestModels.open(set.get("model").get("path").asText());
        Path folder = ckpt.layout().equals("diffusers") ? ckpt.path() : TestModels.diffusersFolderOf(ckpt.path());
        SdxlTextEncoder encoder = new SdxlTextEncoder(new ClipTextModel(ckpt.architecture().textEncoder(), ckpt.textEncoder()),
                new ClipTextModel(ckpt.architecture().textEncoder2(), ckpt.textEncoder2()));
        PromptTokenizer tokenizer = new PromptTokenizer(TokenizerLocator.find(folder, null), PromptMode.A1111);
        TokenizedPrompt longWeighted = tokenizer.tokenize("1girl, (smile:1.3), [blush], " + "tag, ".repeat(90) + "BREAK night, masterpiece");
        TokenizedPrompt shortPlain = tokenizer.tokenize("lowres, bad anatomy");
        assertThat(longWeighted.chunks()).hasSizeGreaterThan(2);
        List<SdxlTextEncoder.Embedding> together = encoder.encodeAll(List.of(longWeighted, shortPlain), 1);
        SdxlTextEncoder.Embedding a = encoder.encode(longWeighted, 1), b = encoder.encode(shortPlain, 1);
        assertThat(together.get(0).tokens()).isEqualTo(a.tokens());
        Close.assertClose("long prompt states", together.get(0).hiddenStates(), a.hiddenStates(), 1e-5, 1e-5);
        Close.assertClose("long prompt pooled", together.get(0).pooled(), a.pooled(), 1e-5, 1e-5);
        Close.assertClose("negative states", together.get(1).hiddenStates(), b.hiddenStates(), 1e-5, 1e-5);
        Close.assertClose("negative pooled", together.get(1).pooled(), b.pooled(), 1e-5, 1e-5);
    }
}
