package dev.animagine.core.lora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.Component;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.tensor.Weights;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import dev.animagine.core.testing.TestModels;
import dev.animagine.core.text.ClipTextModel;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.PromptTokenizer;
import dev.animagine.core.text.SdxlTextEncoder;
import dev.animagine.core.text.TokenizerLocator;
import dev.animagine.core.unet.UNet2DConditionModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every case of lora/index.json: the patched UNet and text encoders against diffusers / A1111 /
 * LyCORIS, the merged weights of each formula, and the rejection of a LoRA for another base model.
 */
class LoraFixtureTest {
    static final String FILE = "lora/lora.safetensors";

    static JsonNode index() {
        return Fixtures.json("lora/index.json");
    }

    static Checkpoint model() {
        return TestModels.open(index().get("model").get("path").asText());
    }

    static List<LoraStack.Request> requests(JsonNode loras) {
        List<LoraStack.Request> r = new ArrayList<>();
        for (JsonNode l : loras) {
            float w = (float) l.get("weight").asDouble();
            r.add(new LoraStack.Request(Fixtures.resolveIndexPath(l.get("file").asText()), w, w));
        }
        return r;
    }

    static float[] tensor(String key) {
        return Fixtures.tensor(FILE, key).toFloats();
    }

    @TestFactory
    List<DynamicTest> unetCases() {
        JsonNode index = index();
        double atol = index.get("tolerances").get("unet_output_abs").asDouble();
        JsonNode in = index.get("unet_inputs");
        JsonNode params = index.get("unet_input_params");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : index.get("unet_cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                Checkpoint ckpt = model();
                float[] sample = tensor(in.get("sample").asText());
                int h = params.get("h").asInt(), w = params.get("w").asInt();
                int channels = sample.length / (h * w);
                float[] ehs = tensor(in.get("encoder_hidden_states").asText());
                int ctx = ckpt.architecture().unet().crossAttentionDim();
                var cond = new UNet2DConditionModel.Conditioning(ehs, ehs.length / ctx, tensor(in.get("text_embeds").asText()),
                        tensor(in.get("time_ids").asText()));
                float[] t = tensor(in.get("timestep").asText());
                try (LoraStack stack = LoraStack.open(ckpt.architecture(), requests(c.get("loras")))) {
                    Weights unetWeights = stack.apply(ckpt.unet(), Component.UNET);
                    UNet2DConditionModel unet = new UNet2DConditionModel(ckpt.architecture().unet(), unetWeights);
                    Tensor out = unet.forward(new Tensor(sample, 1, channels, h, w), new float[] {t[0]}, cond);
                    Close.assertClose(c.get("id").asText(), out.data(), tensor(c.get("expected").get("output").asText()), atol, 0);
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    @TestFactory
    List<DynamicTest> textCases() {
        JsonNode index = index();
        double atol = index.get("tolerances").get("text_embeds_abs").asDouble();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : index.get("text_cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
                Checkpoint ckpt = model();
                Path folder = ckpt.path();
                PromptTokenizer tokenizer = new PromptTokenizer(TokenizerLocator.find(folder, null), PromptMode.DIFFUSERS);
                try (LoraStack stack = LoraStack.open(ckpt.architecture(), requests(c.get("loras")))) {
                    ClipTextModel l = new ClipTextModel(ckpt.architecture().textEncoder(), stack.apply(ckpt.textEncoder(), Component.TEXT_ENCODER));
                    ClipTextModel g = new ClipTextModel(ckpt.architecture().textEncoder2(), stack.apply(ckpt.textEncoder2(), Component.TEXT_ENCODER_2));
                    SdxlTextEncoder encoder = new SdxlTextEncoder(l, g);
                    JsonNode inputs = c.get("inputs"), exp = c.get("expected");
                    SdxlTextEncoder.Embedding pos = encoder.encode(tokenizer.tokenize(inputs.get("prompt").asText()), 1);
                    SdxlTextEncoder.Embedding neg = encoder.encode(tokenizer.tokenize(inputs.get("negative_prompt").asText()), 1);
                    Close.assertClose("prompt_embeds", pos.hiddenStates(), tensor(exp.get("prompt_embeds").get("key").asText()), atol, 0);
                    Close.assertClose("pooled_prompt_embeds", pos.pooled(), tensor(exp.get("pooled_prompt_embeds").get("key").asText()), atol, 0);
                    Close.assertClose("negative_prompt_embeds", neg.hiddenStates(), tensor(exp.get("negative_prompt_embeds").get("key").asText()), atol, 0);
                    Close.assertClose("negative_pooled_prompt_embeds", neg.pooled(),
                            tensor(exp.get("negative_pooled_prompt_embeds").get("key").asText()), atol, 0);
                }
            }));
        }
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    @TestFactory
    List<DynamicTest> mergedWeights() {
        JsonNode index = index();
        double atol = index.get("tolerances").get("merged_weights_abs").asDouble();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : index.get("merged_weight_checks").properties()) {
            for (JsonNode check : f.getValue()) {
                String id = f.getKey() + " " + check.get("component").asText() + "/" + check.get("module").asText();
                tests.add(DynamicTest.dynamicTest(id, () -> {
                    Checkpoint ckpt = model();
                    Component c = component(check.get("component").asText());
                    String name = check.get("module").asText() + ".weight";
                    try (LoraStack stack = LoraStack.open(ckpt.architecture(), List.of(new LoraStack.Request(Fixtures.path("lora/" + f.getKey()), 1f, 1f)))) {
                        assertThat(stack.entries().getFirst().file().modules()).anySatisfy(m -> {
                            assertThat(m.target().weightName()).isEqualTo(name);
                            assertThat(m.type().label()).isEqualTo(check.get("type").asText());
                        });
                        Map<String, float[]> merged = stack.merged(ckpt.weights(c), c, name);
                        float[] expected = tensor(check.get("merged_weight").asText());
                        float[] actual = Arrays.copyOf(merged.get(name), expected.length); // conv checks hold the first output channels
                        Close.assertClose(id, actual, expected, atol, 0);
                        if (check.has("merged_bias"))
                            Close.assertClose(id + " bias", merged.get(check.get("module").asText() + ".bias"), tensor(check.get("merged_bias").asText()), atol, 0);
                    }
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThan(0);
        return tests;
    }

    /** bigG's q/k/v updates stacked onto OpenCLIP's fused in_proj_weight. */
    @Test
    void bigGInProjIsTheStackOfQkvUpdates() {
        Checkpoint ckpt = model();
        String key = "A_weights/kohya_lora_sgm/text_encoder_2_open_clip/transformer.resblocks.0.attn.in_proj_weight";
        try (LoraStack stack = LoraStack.open(ckpt.architecture(), List.of(new LoraStack.Request(Fixtures.path("lora/kohya_lora_sgm.safetensors"), 1f, 1f)))) {
            float[] q = merged(stack, ckpt, "q_proj"), k = merged(stack, ckpt, "k_proj"), v = merged(stack, ckpt, "v_proj");
            float[] qkv = new float[q.length * 3];
            System.arraycopy(q, 0, qkv, 0, q.length);
            System.arraycopy(k, 0, qkv, q.length, q.length);
            System.arraycopy(v, 0, qkv, 2 * q.length, q.length);
            Close.assertClose("in_proj_weight", qkv, tensor(key), 1e-5, 0);
        }
    }

    private static float[] merged(LoraStack stack, Checkpoint ckpt, String proj) {
        String name = "text_model.encoder.layers.0.self_attn." + proj + ".weight";
        return stack.merged(ckpt.textEncoder2(), Component.TEXT_ENCODER_2, name).get(name);
    }

    @Test
    void loraForAnotherBaseIsRejectedWithOneLine() {
        Checkpoint ckpt = model();
        int rejected = 0;
        for (Map.Entry<String, JsonNode> a : index().get("adapters").properties()) {
            if (!a.getValue().get("expect").asText().equals("reject")) continue;
            rejected++;
            Path p = Fixtures.path("lora/" + a.getKey());
            assertThatThrownBy(() -> LoraStack.open(ckpt.architecture(), List.of(new LoraStack.Request(p, 1f, 1f))))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("SD 1.x")
                    .hasMessageNotContaining("\n");
        }
        assertThat(rejected).isPositive();
    }

    static Component component(String folder) {
        for (Component c : Component.values()) if (c.folder().equals(folder)) return c;
        throw new IllegalArgumentException(folder);
    }
}
