package dev.animagine.core.text;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random prompts built from syntax fragments (brackets, weights, escapes, BREAK, commas,
 * entities, mojibake, odd Unicode): each either tokenizes into well-formed chunks in both modes, with
 * every A1111 prompt token kept and the counter consistent, or is refused with a one-line
 * {@link InvalidArgumentException} (a weight Python's float() cannot read) — never another exception.
 */
class PromptTokenizerPropertyTest {
    private static final String[] FRAGMENTS = {
        "(", ")", "[", "]", ":", "\\", "1.2", ".", " ", "BREAK", "1girl", ", ", ",", "solo", ":0.8)", "\n", "\t",
        "firefly \\(honkai: star rail\\)", "masterpiece", "high score", "&amp;", "cafÃ©", "ＡＢＣ", "ﬁ", "“", "日本語", "😀",
        "<|endoftext|>", "\u200b", "\u00a0", "supercalifragilisticexpialidocious", "(a:1.2.3)", "score_9", "İ", "ΟΔΟΣ",
    };

    @Test
    void randomPromptsGiveWellFormedChunksOrOneClearError() {
        SdxlTokenizers tokenizers = TokenizerLocator.load(Fixtures.clipVocabulary());
        Random rnd = new Random(20240601);
        int refused = 0;
        for (int n = 0; n < 1500; n++) {
            StringBuilder p = new StringBuilder();
            for (int k = rnd.nextInt(rnd.nextBoolean() ? 12 : 120); k > 0; k--) p.append(FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
            String prompt = p.toString();
            for (PromptMode mode : PromptMode.values()) {
                TokenizedPrompt tp;
                try {
                    tp = new PromptTokenizer(tokenizers, mode).tokenize(prompt);
                } catch (InvalidArgumentException e) {
                    assertThat(mode).as(prompt).isEqualTo(PromptMode.A1111);
                    assertThat(e.getMessage()).doesNotContain("\n").contains("weight");
                    refused++;
                    continue;
                }
                assertThat(tp.chunks()).isNotEmpty();
                int content = 0;
                for (int i = 0; i < tp.chunks().size(); i++) {
                    TokenizedPrompt.Chunk c = tp.chunks().get(i);
                    assertThat(c.encoder1Ids()).hasSize(77).startsWith(49406).endsWith(49407);
                    assertThat(c.encoder2Ids()).hasSize(77).startsWith(49406);
                    assertThat(c.multipliers()).hasSize(77);
                    assertThat(c.length()).isBetween(0, 75);
                    for (int k = 1 + c.length(); k < 77; k++) assertThat(c.multipliers()[k]).isEqualTo(1.0);
                    content += c.length();
                    if (mode == PromptMode.A1111 && i < tp.chunks().size() - 1) assertThat(tp.tokenCount()).isGreaterThanOrEqualTo(75 * (i + 1));
                }
                if (mode == PromptMode.A1111) {
                    // the counter adds 75 per chunk closed early (full, backtracked or BREAK) and the length of a
                    // final chunk closed at the end (a trailing BREAK leaves none)
                    int chunks = tp.chunks().size(), last = tp.chunks().getLast().length();
                    assertThat(tp.tokenCount()).as(prompt).isIn(75 * (chunks - 1) + last, 75 * chunks);
                    assertThat(content).isLessThanOrEqualTo(tp.tokenCount());
                } else {
                    assertThat(content + tp.droppedTokens()).isEqualTo(tp.tokenCount());
                }
            }
        }
        assertThat(refused).isPositive();
    }
}
