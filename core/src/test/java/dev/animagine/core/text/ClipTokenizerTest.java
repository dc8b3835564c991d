package dev.animagine.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every prompt of {@code tokenizer/index.json}, exact: normalized text, BPE tokens, raw ids, both 77-id rows. */
class ClipTokenizerTest {
    static ClipTokenizer fromJson, fromGz;
    static List<JsonNode> cases;

    @BeforeAll
    static void load() {
        Path clip = Fixtures.clipVocabulary();
        fromJson = new ClipTokenizer(ClipVocabulary.fromVocabJson(clip.resolve("vocab.json"), clip.resolve("merges.txt")));
        fromGz = new ClipTokenizer(ClipVocabulary.fromOpenAiBpe(clip.resolve(TokenizerLocator.OPENAI_BPE)));
        cases = Fixtures.cases("tokenizer");
    }

    @Test
    void bothVocabularyFormatsGiveTheSameIds() {
        assertThat(fromJson.vocabulary().size()).isEqualTo(49408);
        assertThat(fromJson.vocabulary().sameAs(fromGz.vocabulary())).isTrue();
        assertThat(fromJson.bos()).isEqualTo(49406);
        assertThat(fromJson.eos()).isEqualTo(49407);
        assertThat(fromJson.comma()).isEqualTo(267);
        for (JsonNode c : cases)
            assertThat(fromGz.encode(c.get("prompt").asText())).as(c.get("id").asText()).containsExactly(fromJson.encode(c.get("prompt").asText()));
    }

    @Test
    void normalizationMatchesOpenAi() {
        for (JsonNode c : cases)
            assertThat(ClipTokenizer.normalize(c.get("prompt").asText())).as(c.get("id").asText())
                    .isEqualTo(c.get("normalized_text_openai").asText());
    }

    @Test
    void bpeTokensAndRawIdsMatchOpenAi() {
        for (JsonNode c : cases) {
            String id = c.get("id").asText(), prompt = c.get("prompt").asText();
            assertThat(fromJson.bpeTokens(prompt)).as(id + " bpe tokens").containsExactlyElementsOf(strings(c.get("bpe_tokens")));
            assertThat(fromJson.encode(prompt)).as(id + " raw ids").containsExactly(ints(c.get("raw_ids")));
            assertThat(fromJson.encode(prompt)).as(id + " token count").hasSize(c.get("n_raw").asInt());
        }
    }

    @Test
    void windowsOfBothDiffusersTokenizersMatchJsonAndSafetensors() {
        StoredTensor rows1 = Fixtures.tensor("tokenizer/tokenizer.safetensors", "tokenizer_ids_77");
        StoredTensor rows2 = Fixtures.tensor("tokenizer/tokenizer.safetensors", "tokenizer_2_ids_77");
        int checkedModels = 0;
        for (Path model : Fixtures.models()) {
            Path diffusers = model.resolve("diffusers");
            if (!Files.isDirectory(diffusers.resolve("tokenizer"))) continue;
            checkedModels++;
            ClipTokenizer t1 = ClipTokenizer.load(diffusers.resolve("tokenizer"), ClipVocabulary.END_OF_TEXT);
            ClipTokenizer t2 = ClipTokenizer.load(diffusers.resolve("tokenizer_2"), SdxlTokenizers.SECOND_PAD);
            assertThat(t1.pad()).isEqualTo(49407);
            assertThat(t2.pad()).isEqualTo(0);
            for (JsonNode c : cases) {
                String id = c.get("id").asText(), prompt = c.get("prompt").asText();
                int row = c.get("row").asInt();
                int[] w1 = t1.window(t1.encode(prompt)), w2 = t2.window(t2.encode(prompt));
                assertThat(w1).as(id + " tokenizer").containsExactly(ints(c.get("tokenizer_ids_77")));
                assertThat(w2).as(id + " tokenizer_2").containsExactly(ints(c.get("tokenizer_2_ids_77")));
                assertThat(w1).as(id + " tokenizer (safetensors)").containsExactly(row(rows1, row));
                assertThat(w2).as(id + " tokenizer_2 (safetensors)").containsExactly(row(rows2, row));
            }
        }
        assertThat(checkedModels).isPositive();
    }

    @Test
    void truncationKeepsTheFirst75AndEndsWithEos() {
        int[] ids = fromJson.encode("word ".repeat(100));
        assertThat(ids).hasSize(100);
        int[] w = fromJson.window(ids);
        assertThat(w[0]).isEqualTo(49406);
        assertThat(w[76]).isEqualTo(49407);
        assertThat(w[75]).isEqualTo(ids[74]);
    }

    @Test
    void decodeGivesBackTheNormalizedCharacters() {
        String p = "1girl, Firefly \\(honkai: star rail\\), café 日本語 👍🏻";
        assertThat(fromJson.decode(fromJson.encode(p)).replace(" ", "")).isEqualTo(ClipTokenizer.normalize(p).replace(" ", ""));
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    static int[] row(StoredTensor t, int row) {
        int cols = (int) t.dim(1);
        int[] out = new int[cols];
        for (int j = 0; j < cols; j++) out[j] = Math.toIntExact(t.getLong((long) row * cols + j));
        return out;
    }
}
