package dev.animagine.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.testing.Close;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's {@code tokenize_line} and emphasis: every case of {@code a1111/chunking.json} — parsed runs,
 * per-run ids, the 77-id chunks and multipliers (exact), the token counter, the ids each SDXL encoder is
 * fed — and the "Original" emphasis on the stand-in hidden states (float32; tolerance scaled by the
 * conditioning of the means, see the test).
 */
class PromptChunkerTest {
    static SdxlTokenizers tokenizers;

    @BeforeAll
    static void load() {
        tokenizers = TokenizerLocator.load(Fixtures.clipVocabulary());
    }

    static A1111Settings settings(JsonNode c) {
        JsonNode s = c.get("settings");
        return new A1111Settings(EmphasisMode.fromA1111Name(s.get("emphasis").asText()), s.get("comma_padding_backtrack").asInt());
    }

    @Test
    void everyFixtureCase() {
        JsonNode cases = Fixtures.json("a1111/chunking.json").get("cases");
        assertThat(cases.size()).isPositive();
        int withEmphasis = 0;
        for (JsonNode c : cases) {
            String id = c.get("id").asText(), prompt = c.get("prompt").asText();
            A1111Settings settings = settings(c);
            List<WeightedText> parsed = settings.emphasis().parsesSyntax() ? EmphasisParser.parse(prompt) : List.of(new WeightedText(prompt, 1.0));
            JsonNode expParsed = c.get("parsed");
            assertThat(parsed).as(id + " parsed").hasSize(expParsed.size());
            for (int i = 0; i < parsed.size(); i++) {
                assertThat(parsed.get(i).text()).as(id + " parsed text " + i).isEqualTo(expParsed.get(i).get(0).asText());
                assertThat(parsed.get(i).weight()).as(id + " parsed weight " + i).isEqualTo(expParsed.get(i).get(1).asDouble());
                assertThat(tokenizers.first().encode(parsed.get(i).text())).as(id + " fragment ids " + i)
                        .containsExactly(ClipTokenizerTest.ints(c.get("fragment_ids").get(i)));
            }

            TokenizedPrompt tp = new PromptTokenizer(tokenizers, PromptMode.A1111, settings).tokenize(prompt);
            JsonNode l = c.get("clip_l"), g = c.get("clip_g");
            assertThat(tp.tokenCount()).as(id + " token count").isEqualTo(l.get("token_count").asInt()).isEqualTo(g.get("token_count").asInt());
            assertThat(tp.targetTokenCount()).as(id + " target").isEqualTo(l.get("target_token_count").asInt());
            if (l.has("ui_counter")) assertThat(tp.tokenCount() + "/" + tp.targetTokenCount()).isEqualTo(l.get("ui_counter").asText());
            assertThat(tp.chunks()).as(id + " chunks").hasSize(l.get("chunks").size());
            for (int i = 0; i < tp.chunks().size(); i++) {
                TokenizedPrompt.Chunk ch = tp.chunks().get(i);
                for (JsonNode enc : new JsonNode[] {l, g}) {
                    assertThat(ch.encoder1Ids()).as(id + " chunk " + i + " tokens").containsExactly(ClipTokenizerTest.ints(enc.get("chunks").get(i).get("tokens")));
                    JsonNode em = enc.get("chunks").get(i).get("multipliers");
                    assertThat(em.size()).isEqualTo(77);
                    for (int k = 0; k < 77; k++)
                        assertThat(ch.multipliers()[k]).as(id + " chunk " + i + " multiplier " + k).isEqualTo(em.get(k).asDouble());
                }
                assertThat(ch.encoder1Ids()).as(id + " clip_l fed " + i).containsExactly(ClipTokenizerTest.ints(l.get("fed_tokens").get(i)));
                assertThat(ch.encoder2Ids()).as(id + " clip_g fed " + i).containsExactly(ClipTokenizerTest.ints(g.get("fed_tokens").get(i)));
                if (c.path("derived").has("chunk_content_lengths"))
                    assertThat(ch.length()).as(id + " chunk length " + i).isEqualTo(c.get("derived").get("chunk_content_lengths").get(i).asInt());
            }

            if (c.has("emphasis_apply_clip_l")) {
                withEmphasis++;
                JsonNode e = c.get("emphasis_apply_clip_l");
                EmphasisMode mode = e.has("emphasis") ? EmphasisMode.fromA1111Name(e.get("emphasis").asText()) : settings.emphasis();
                for (int i = 0; i < tp.chunks().size(); i++) {
                    float[][] zin = matrix(e.get("z_in").get(i)), zout = matrix(e.get("z_out").get(i));
                    float[] z = flat(zin);
                    double[] mults = tp.chunks().get(i).multipliers();
                    // torch takes float32 means, we sum in double; a mean near zero amplifies the difference by
                    // its condition number sum|z|/|sum z| (up to ~830 in the public cases: measured max |diff|
                    // 3.1e-6), so the relative tolerance is 1e-5 or 4 float32 ulps times that condition number
                    double cond = Math.max(condition(z, null, 0), condition(z, mults, zin[0].length));
                    mode.apply(z, mults, zin[0].length);
                    Close.assertClose(id + " emphasis chunk " + i, z, flat(zout), 1e-6, Math.max(1e-5, 4 * 0x1p-24 * cond));
                }
            }
        }
        assertThat(withEmphasis).isPositive();
    }

    @Test
    void scoreTagsAtTheEndOfALongPromptAreKept() {
        String tags = "1girl, solo, long hair, looking at viewer, smile, open mouth, blue eyes, blonde hair, shirt, ribbon, holding, "
                .repeat(4);
        String prompt = tags + "masterpiece, high score, great score, absurdres";
        TokenizedPrompt tp = new PromptTokenizer(tokenizers, PromptMode.A1111).tokenize(prompt);
        assertThat(tp.chunks().size()).isGreaterThan(1);
        int[] all = tokenizers.first().encode(prompt);
        int total = 0;
        StringBuilder kept = new StringBuilder();
        for (TokenizedPrompt.Chunk ch : tp.chunks()) {
            total += ch.length();
            kept.append(tokenizers.first().decode(java.util.Arrays.copyOfRange(ch.encoder1Ids(), 1, 1 + ch.length())));
        }
        assertThat(total).isEqualTo(all.length); // every token is in some chunk
        assertThat(kept.toString().strip()).endsWith("masterpiece , high score , great score , absurdres");
    }

    @Test
    void diffusersModeTruncatesAndReportsWhatWasDropped() {
        String prompt = "word ".repeat(80) + "masterpiece";
        TokenizedPrompt tp = new PromptTokenizer(tokenizers, PromptMode.DIFFUSERS).tokenize(prompt);
        assertThat(tp.chunks()).hasSize(1);
        assertThat(tp.tokenCount()).isEqualTo(81);
        assertThat(tp.droppedTokens()).isEqualTo(6);
        int[] e2 = tp.chunks().getFirst().encoder2Ids();
        assertThat(e2[76]).isEqualTo(49407);
        TokenizedPrompt shortOne = new PromptTokenizer(tokenizers, PromptMode.DIFFUSERS).tokenize("(a:1.5) BREAK b");
        assertThat(shortOne.chunks().getFirst().multipliers()).containsOnly(1.0);
        int b = tokenizers.first().encode("b")[0], brk = tokenizers.first().encode("break")[0];
        // "(", "a", ":", "1", ".", "5", ")" stay text and BREAK is the word "break"
        assertThat(shortOne.chunks().getFirst().encoder1Ids()).startsWith(49406, 263, 320, 281, 272, 269, 276, 264, brk, b, 49407, 49407);
        assertThat(shortOne.chunks().getFirst().encoder2Ids()).startsWith(49406, 263, 320, 281, 272, 269, 276, 264, brk, b, 49407, 0);
    }

    @Test
    void emphasisModesOtherThanOriginal() {
        float[] z = {1, 2, 3, 4};
        double[] m = {2, 0.5};
        float[] noNorm = z.clone();
        EmphasisMode.NO_NORM.apply(noNorm, m, 2);
        assertThat(noNorm).containsExactly(2, 4, 1.5f, 2);
        float[] original = z.clone();
        EmphasisMode.ORIGINAL.apply(original, m, 2);
        float ratio = 2.5f / 2.375f;
        assertThat(original).containsExactly(2 * ratio, 4 * ratio, 1.5f * ratio, 2 * ratio);
        float[] ignored = z.clone();
        EmphasisMode.IGNORE.apply(ignored, m, 2);
        assertThat(ignored).containsExactly(z);
    }

    /** sum|z·m| / |sum z·m| (m = 1 when null). */
    static double condition(float[] z, double[] m, int channels) {
        double abs = 0, sum = 0;
        for (int k = 0; k < z.length; k++) {
            double v = z[k] * (m == null ? 1.0 : (float) m[k / channels]);
            abs += Math.abs(v);
            sum += v;
        }
        return abs / Math.abs(sum);
    }

    static float[][] matrix(JsonNode rows) {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = (float) rows.get(i).get(j).asDouble();
        }
        return out;
    }

    static float[] flat(float[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        return out;
    }
}
