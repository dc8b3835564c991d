package dev.animagine.core.animagine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emphasis detection behind the bracket lint rules, checked against what A1111's own
 * {@code parse_prompt_attention} returned for every case of {@code a1111/emphasis.json}: when the
 * scan finds no emphasis, A1111 weighted nothing; when A1111 weighted something (or raised on a bad
 * weight), the scan found emphasis. (Brackets whose weights cancel, like {@code ([a])}, may be
 * found by the scan while A1111's product is exactly 1; that direction is not claimed.)
 */
class BracketScanFixtureTest {

    @TestFactory
    List<DynamicTest> agreesWithA1111() {
        JsonNode cases = Fixtures.json("a1111/emphasis.json").get("cases");
        assertThat(cases.size()).as("emphasis cases").isPositive();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String prompt = c.get("prompt").asText();
            tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " " + prompt, () -> {
                boolean found = BracketScan.of(prompt).emphasis();
                if (c.has("raises")) {
                    assertThat(found).as("A1111 raised on a weight, so the text has emphasis syntax").isTrue();
                    return;
                }
                boolean weighted = false;
                for (JsonNode entry : c.get("expected")) {
                    JsonNode w = entry.get(1);
                    boolean breakMarker = entry.get(0).asText().equals("BREAK") && w.isInt() && w.asInt() == -1;
                    if (!breakMarker && w.asDouble() != 1.0) weighted = true;
                }
                if (weighted) assertThat(found).as("A1111 weighted some text").isTrue();
                if (!found) assertThat(weighted).as("scan found no emphasis").isFalse();
            }));
        }
        return tests;
    }

    /** After normalising, a tag whose parentheses were its own reads as plain text to A1111. */
    @TestFactory
    List<DynamicTest> escapedQualifiersAreNotEmphasis() {
        JsonNode cases = Fixtures.json("a1111/emphasis.json").get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            for (String tag : TagText.split(c.get("prompt").asText())) {
                TagText.Normalized n = TagText.normalize(tag);
                if (!(n.escapedQualifier() || n.escapedUnclosed())) continue;
                tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " [" + tag + "]", () -> {
                    String plain = n.text();
                    // what is left of the user's own emphasis: groups that start the tag or carry a weight
                    BracketScan scan = BracketScan.of(plain);
                    assertThat(scan.unclosed()).as("no opener left unclosed in " + plain).isEmpty();
                    assertThat(TagText.normalize(plain).text()).as("idempotent").isEqualTo(plain);
                }));
            }
        }
        return tests;
    }
}
