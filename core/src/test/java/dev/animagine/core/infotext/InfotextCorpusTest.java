package dev.animagine.core.infotext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.pipeline.Infotext;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every infotext of the corpus (test resources corpus/, sources cited in its index.json) parses to
 * the values written by hand in the index, reports exactly the keys listed as unknown, and loses
 * nothing: the pairs re-join to the parameters line, and for A1111-written texts our writer's quoting
 * gives back the whole text.
 */
class InfotextCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIR = "corpus/";

    private static JsonNode index() throws IOException {
        try (InputStream in = InfotextCorpusTest.class.getResourceAsStream(DIR + "index.json")) {
            return JSON.readTree(in).get("cases");
        }
    }

    private static String read(String file) throws IOException {
        try (InputStream in = InfotextCorpusTest.class.getResourceAsStream(DIR + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void corpusHasEnoughCases() throws IOException {
        assertThat(index().size()).isGreaterThanOrEqualTo(20);
    }

    @TestFactory
    Stream<DynamicTest> eachInfotextParsesAsReadByHand() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : index()) {
            tests.add(DynamicTest.dynamicTest(c.get("file").asText(), () -> {
                String text = read(c.get("file").asText());
                GenerationParameters p = PngParameters.fromText(text);
                JsonNode actual = JSON.readTree(ParametersJson.format(p));
                assertSubset(c.get("expect"), actual, "");
                List<String> unknown = new ArrayList<>();
                c.get("unknownKeys").forEach(k -> unknown.add(k.asText()));
                assertThat(p.unknownKeys()).as("unknown keys").containsExactlyElementsOf(unknown);
                if (c.get("file").asText().endsWith(".txt")) assertPairsRejoin(text);
                if (c.get("lossless").asBoolean()) assertWriterRoundTrip(text, p);
            }));
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    /** The pairs, as written (raw values), joined with ", " are the text's parameters line. */
    private static void assertPairsRejoin(String text) {
        String[] lines = text.strip().split("\n", -1);
        String last = lines[lines.length - 1];
        List<InfotextParser.Pair> pairs = InfotextParser.pairs(last);
        if (pairs.size() < 3) return; // no parameters line: all prompt
        List<String> parts = new ArrayList<>();
        for (InfotextParser.Pair pair : pairs) parts.add(pair.key() + ": " + pair.raw());
        assertThat(String.join(", ", parts)).isEqualTo(last.strip());
    }

    /** Our A1111-style writer, fed the parsed prompt, negative prompt and pairs, gives back the text. */
    private static void assertWriterRoundTrip(String text, GenerationParameters p) {
        Infotext t = new Infotext(p.prompt(), p.negativePrompt());
        p.params().forEach(t::put);
        assertThat(t.format().strip()).isEqualTo(text.strip());
    }

    /** Every field of {@code expected} is in {@code actual} with that value (objects recursively, numbers by value). */
    static void assertSubset(JsonNode expected, JsonNode actual, String path) {
        if (expected.isObject() && actual != null && actual.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                assertThat(actual.has(e.getKey())).as(p + " present").isTrue();
                assertSubset(e.getValue(), actual.get(e.getKey()), p);
            }
            return;
        }
        if (expected.isNumber() && actual != null && actual.isNumber()) {
            assertThat(actual.decimalValue()).as(path).isEqualByComparingTo(expected.decimalValue());
            return;
        }
        assertThat(actual).as(path).isEqualTo(expected);
    }
}
