package dev.animagine.core.animagine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The truncation rule against the tokenizer fixtures: diffusers' 77-id windows keep exactly
 * {@link TokenCounter#WINDOW} prompt tokens, and the rule fires exactly for the fixture prompts
 * longer than that (counted by the reference tokenizer's {@code raw_ids}).
 */
class TruncationFixtureTest {
    private static final int BOS = 49406, EOS = 49407;

    @Test
    void windowIsWhatTheReferenceKeeps() {
        List<JsonNode> cases = Fixtures.cases("tokenizer");
        int longOnes = 0;
        for (JsonNode c : cases) {
            JsonNode raw = c.get("raw_ids"), ids = c.get("tokenizer_ids_77");
            assertThat(ids.size()).isEqualTo(TokenCounter.WINDOW + 2);
            assertThat(ids.get(0).asInt()).isEqualTo(BOS);
            int kept = Math.min(raw.size(), TokenCounter.WINDOW);
            for (int i = 0; i < kept; i++) assertThat(ids.get(1 + i).asInt()).as(c.get("id") + " id " + i).isEqualTo(raw.get(i).asInt());
            assertThat(ids.get(1 + kept).asInt()).as(c.get("id") + " EOS after the window").isEqualTo(EOS);
            if (raw.size() > TokenCounter.WINDOW) longOnes++;
        }
        assertThat(longOnes).as("fixture prompts beyond the window").isPositive();
    }

    @Test
    void ruleFiresExactlyForPromptsBeyondTheWindow() {
        Map<String, Integer> reference = new HashMap<>();
        for (JsonNode c : Fixtures.cases("tokenizer")) reference.put(c.get("prompt").asText(), c.get("raw_ids").size());
        // Whole prompts are counted by the reference; the rule's prefix counts (to name the cut tags) by the stand-in.
        TokenCounter counter = text -> reference.getOrDefault(text, PromptLinterTest.WORDS.count(text));
        for (Map.Entry<String, Integer> e : reference.entrySet()) {
            List<String> whole = List.of(e.getKey());
            boolean fired = !PromptLinter.truncated(counter, whole, "prompt", true).isEmpty();
            assertThat(fired).as(e.getKey()).isEqualTo(e.getValue() > TokenCounter.WINDOW);
        }
    }
}
