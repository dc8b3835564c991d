package dev.animagine.core.text;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Vocabulary discovery order: next to the model, --tokenizer, $ANIMAGINE_TOKENIZER, the Hugging Face cache. */
class TokenizerLocatorTest {
    @TempDir
    Path tmp;

    private static final Path CLIP = Fixtures.clipVocabulary();

    private Path copyVocab(Path dir, boolean gz) throws IOException {
        Files.createDirectories(dir);
        if (gz) Files.copy(CLIP.resolve(TokenizerLocator.OPENAI_BPE), dir.resolve(TokenizerLocator.OPENAI_BPE));
        else {
            Files.copy(CLIP.resolve("vocab.json"), dir.resolve("vocab.json"));
            Files.copy(CLIP.resolve("merges.txt"), dir.resolve("merges.txt"));
        }
        return dir;
    }

    private Path singleFile(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("model.safetensors"), "not read by the locator");
    }

    private TokenizerLocator locator(Map<String, String> env) {
        return new TokenizerLocator(env, tmp.resolve("home"));
    }

    @Test
    void diffusersFolderUsesItsOwnTokenizersAndTheirPadTokens() {
        for (Path model : Fixtures.models()) {
            Path diffusers = model.resolve("diffusers");
            if (!Files.isDirectory(diffusers.resolve("tokenizer"))) continue;
            SdxlTokenizers t = locator(Map.of()).locate(diffusers, null);
            assertThat(t.first().pad()).isEqualTo(49407);
            assertThat(t.second().pad()).isEqualTo(0);
            assertThat(t.source()).isEqualTo(diffusers.toString());
        }
    }

    @Test
    void singleFileFindsTheVocabularyBesideIt() throws IOException {
        Path model = singleFile(tmp.resolve("m"));
        copyVocab(tmp.resolve("m"), true);
        SdxlTokenizers t = locator(Map.of()).locate(model, null);
        assertThat(t.first().pad()).isEqualTo(49407);
        assertThat(t.second().pad()).isEqualTo(0); // SDXL's second tokenizer pads with "!"
        assertThat(t.first().encode("1girl, solo")).containsExactly(272, 1611, 267, 5797);
    }

    @Test
    void thenTheTokenizerOptionThenTheEnvironmentThenTheHubCache() throws IOException {
        Path model = singleFile(tmp.resolve("bare"));
        Path option = copyVocab(tmp.resolve("opt"), false);
        Path env = copyVocab(tmp.resolve("env"), true);
        Path hub = tmp.resolve("hub");
        Path snap = copyVocab(hub.resolve(TokenizerLocator.HF_REPO_DIR).resolve("snapshots/abc123"), false);
        Files.createDirectories(hub.resolve(TokenizerLocator.HF_REPO_DIR).resolve("refs"));
        Files.writeString(hub.resolve(TokenizerLocator.HF_REPO_DIR).resolve("refs/main"), "abc123\n");

        Map<String, String> all = Map.of(TokenizerLocator.ENV_DIR, env.toString(), "HF_HUB_CACHE", hub.toString());
        assertThat(locator(all).locateDirectory(model, option)).isEqualTo(option);
        assertThat(locator(all).locateDirectory(model, null)).isEqualTo(env);
        assertThat(locator(Map.of("HF_HUB_CACHE", hub.toString())).locateDirectory(model, null)).isEqualTo(snap);
        assertThat(locator(Map.of("HF_HOME", tmp.toString())).locateDirectory(model, null)).isEqualTo(snap);
        // and what is found loads: the HF snapshot's vocabulary, SDXL's paddings
        SdxlTokenizers t = locator(Map.of("HF_HUB_CACHE", hub.toString())).locate(model, null);
        assertThat(t.first().pad()).isEqualTo(49407);
        assertThat(t.second().pad()).isEqualTo(0);
    }

    @Test
    void theHomeCacheIsTheLastResort() throws IOException {
        Path snap = copyVocab(tmp.resolve("home/.cache/huggingface/hub").resolve(TokenizerLocator.HF_REPO_DIR).resolve("snapshots/x"), true);
        assertThat(locator(Map.of()).locateDirectory(null, null)).isEqualTo(snap);
    }

    @Test
    void aSingleFileAloneUsesTheVocabularyShippedInTheJar() throws IOException {
        Path model = singleFile(tmp.resolve("alone"));
        SdxlTokenizers t = locator(Map.of()).locate(model, null);
        assertThat(t.source()).contains("built-in");
        // the same ids as OpenAI's file in ../shared/clip, on every vocabulary entry and merge
        SdxlTokenizers shared = TokenizerLocator.load(Fixtures.clipVocabulary());
        assertThat(t.first().vocabulary().sameAs(shared.first().vocabulary())).isTrue();
        assertThat(t.first().pad()).isEqualTo(49407);
        assertThat(t.second().pad()).isEqualTo(0);
        assertThat(t.first().encode("1girl, solo")).containsExactly(shared.first().encode("1girl, solo"));
    }

    @Test
    void badPlacesAreOneClearLine() throws IOException {
        Path model = tmp.resolve("nope.safetensors");
        Path alone = singleFile(tmp.resolve("alone"));
        assertThatThrownBy(() -> locator(Map.of()).locate(alone, tmp.resolve("empty-dir-that-is-missing")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("--tokenizer");
        assertThatThrownBy(() -> locator(Map.of()).locate(model, null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("nope.safetensors").hasMessageNotContaining("\n");
    }

    @Test
    void specialTokensMapDecidesThePad() throws IOException {
        Path dir = copyVocab(tmp.resolve("t"), false);
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"!\"}");
        assertThat(ClipTokenizer.load(dir, ClipVocabulary.END_OF_TEXT).pad()).isEqualTo(0);
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": {\"content\": \"<|endoftext|>\"}}");
        assertThat(ClipTokenizer.load(dir, SdxlTokenizers.SECOND_PAD).pad()).isEqualTo(49407);
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad-not-in-vocab>\"}");
        assertThatThrownBy(() -> ClipTokenizer.load(dir, ClipVocabulary.END_OF_TEXT)).hasMessageContaining("<pad-not-in-vocab>");
    }
}
