package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code animagine tokens}: the JSON equals A1111's fed ids and multipliers for every case of
 * {@code a1111/chunking.json} (settings passed as flags), and diffusers' 77-id rows for the tokenizer
 * cases with {@code --compat diffusers --model <diffusers folder>}; bad input is one line and exit 2.
 */
class TokensCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static String clip() {
        return Fixtures.clipVocabulary().toString();
    }

    @Test
    void jsonMatchesA1111ForEveryChunkingCase() throws Exception {
        for (JsonNode c : Fixtures.json("a1111/chunking.json").get("cases")) {
            String id = c.get("id").asText();
            JsonNode s = c.get("settings");
            Run r = run("tokens", "--json", "--tokenizer", clip(), "--emphasis", s.get("emphasis").asText(),
                    "--comma-padding-backtrack", s.get("comma_padding_backtrack").asText(), "--", c.get("prompt").asText());
            assertThat(r.exit()).as(id + ": " + r.err()).isZero();
            JsonNode got = JSON.readTree(r.out());
            assertThat(names(got)).containsExactly("tokenizer", "tokenizer_2", "weights");
            assertThat(got.get("tokenizer")).as(id).isEqualTo(c.get("clip_l").get("fed_tokens"));
            assertThat(got.get("tokenizer_2")).as(id).isEqualTo(c.get("clip_g").get("fed_tokens"));
            JsonNode chunks = c.get("clip_l").get("chunks");
            assertThat(got.get("weights").size()).isEqualTo(chunks.size());
            for (int i = 0; i < chunks.size(); i++)
                for (int k = 0; k < 77; k++)
                    assertThat(got.get("weights").get(i).get(k).asDouble()).as(id + " weight " + i + "/" + k)
                            .isEqualTo(chunks.get(i).get("multipliers").get(k).asDouble());
        }
    }

    @Test
    void diffusersCompatGivesTheFixtureRowsWithTheModelsTokenizers() throws Exception {
        Path model = Fixtures.models().stream().map(m -> m.resolve("diffusers")).filter(d -> Files.isDirectory(d.resolve("tokenizer")))
                .findFirst().orElseThrow();
        List<JsonNode> cases = Fixtures.cases("tokenizer");
        for (int i = 0; i < cases.size(); i += Math.max(1, cases.size() / 15)) { // a spread of cases; the core test covers all
            JsonNode c = cases.get(i);
            Run r = run("tokens", "--json", "--compat", "diffusers", "--model", model.toString(), "--", c.get("prompt").asText());
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode got = JSON.readTree(r.out());
            assertThat(got.get("tokenizer")).hasSize(1);
            assertThat(got.get("tokenizer").get(0)).as(c.get("id").asText()).isEqualTo(c.get("tokenizer_ids_77"));
            assertThat(got.get("tokenizer_2").get(0)).as(c.get("id").asText()).isEqualTo(c.get("tokenizer_2_ids_77"));
        }
    }

    @Test
    void textShowsTheA1111CounterAndEveryChunkIncludingTheScoreTagsAtTheEnd() {
        String prompt = "1girl, solo, long hair, looking at viewer, smile, open mouth, blue eyes, blonde hair, shirt, ribbon, ".repeat(3)
                + "masterpiece, high score, great score, absurdres";
        Run r = run("tokens", "--tokenizer", clip(), prompt);
        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        assertThat(lines[0]).matches("\\d+/150 tokens, 2 chunks .*");
        assertThat(lines).hasSize(3);
        assertThat(lines[1]).startsWith("chunk 1: ");
        assertThat(lines[2]).startsWith("chunk 2: ").endsWith("masterpiece , high score , great score , absurdres");
    }

    @Test
    void diffusersTextWarnsAboutTruncation() {
        Run r = run("tokens", "--compat", "diffusers", "--tokenizer", clip(), "word ".repeat(80) + "absurdres");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("82/75 tokens").contains("warning: 7 tokens past the first 75 are dropped: \"word word word word word absurdres\"");
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        Run weight = run("tokens", "--tokenizer", clip(), "(a:1.2.3)");
        Run compat = run("tokens", "--compat", "a1111x", "--tokenizer", clip(), "a");
        Run missing = run("tokens", "--tokenizer", "/nonexistent/dir", "a");
        Run both = run("tokens", "--tokenizer", clip(), "--model", clip(), "a");
        Run backtrack = run("tokens", "--tokenizer", clip(), "--comma-padding-backtrack", "75", "a");
        Run emphasis = run("tokens", "--tokenizer", clip(), "--emphasis", "loud", "a");
        for (Run r : List.of(weight, compat, missing, both, backtrack, emphasis)) {
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("animagine: ").doesNotContain("\n").doesNotContain("Exception");
            assertThat(r.out()).isEmpty();
        }
        assertThat(weight.err()).contains("'1.2.3'");
        assertThat(missing.err()).contains("/nonexistent/dir");
    }

    static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
