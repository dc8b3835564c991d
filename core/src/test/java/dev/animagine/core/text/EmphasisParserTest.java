package dev.animagine.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A1111's {@code parse_prompt_attention}: every case of {@code a1111/emphasis.json} (texts and weights
 * compared exactly as doubles, including -0.0 and the inputs where A1111 raises), plus one readable
 * test per rule.
 */
class EmphasisParserTest {

    @Test
    void everyFixtureCase() {
        JsonNode cases = Fixtures.json("a1111/emphasis.json").get("cases");
        assertThat(cases.size()).isPositive();
        for (JsonNode c : cases) {
            String id = c.get("id").asText(), prompt = c.get("prompt").asText();
            if (c.has("raises")) {
                String message = c.get("message").asText(); // Python's: could not convert string to float: 'X'
                String bad = message.substring(message.indexOf('\'') + 1, message.lastIndexOf('\''));
                assertThatThrownBy(() -> EmphasisParser.parse(prompt)).as(id)
                        .isInstanceOf(InvalidArgumentException.class)
                        .hasMessageContaining("'" + bad + "'")
                        .hasMessageNotContaining("\n");
                continue;
            }
            List<WeightedText> expected = new ArrayList<>();
            for (JsonNode e : c.get("expected")) expected.add(new WeightedText(e.get(0).asText(), e.get(1).asDouble()));
            assertThat(EmphasisParser.parse(prompt)).as(id + " " + prompt).containsExactlyElementsOf(expected);
        }
    }

    private static List<WeightedText> parse(String p) {
        return EmphasisParser.parse(p);
    }

    private static WeightedText w(String text, double weight) {
        return new WeightedText(text, weight);
    }

    @Test
    void roundAndSquareBracketsMultiplyAndDivideByOnePointOne() {
        assertThat(parse("(a)")).containsExactly(w("a", 1.1));
        assertThat(parse("[a]")).containsExactly(w("a", 1 / 1.1));
        assertThat(parse("((a))")).containsExactly(w("a", 1.1 * 1.1));
        assertThat(parse("((a))").getFirst().weight()).isEqualTo(1.2100000000000002).isNotEqualTo(1.21);
    }

    @Test
    void explicitWeightsAllowSpacesSignsAndBareDots() {
        assertThat(parse("(a:1.3)")).containsExactly(w("a", 1.3));
        assertThat(parse("(a : 1.3 )")).containsExactly(w("a ", 1.3)); // the space before ':' is text
        assertThat(parse("(a:.5)")).containsExactly(w("a", 0.5));
        assertThat(parse("(a:-0)")).containsExactly(w("a", -0.0));
        assertThat(parse("(a:1e2)")).containsExactly(w("a:1e2", 1.1)); // not a number to the pattern
        assertThat(parse("(a:b)")).containsExactly(w("a:b", 1.1));
        assertThat(parse("a:1.2)")).containsExactly(w("a:1.2)", 1.0)); // no open bracket: text
    }

    @Test
    void nestingMultipliesInClosingOrder() {
        assertThat(parse("((a:0.5))")).containsExactly(w("a", 0.5 * 1.1));
        assertThat(parse("[(a:1.2)]")).containsExactly(w("a", 1.2 * (1 / 1.1)));
        assertThat(parse("(a [b] c)")).containsExactly(w("a ", 1.1), w("b", 1.1 * (1 / 1.1)), w(" c", 1.1));
    }

    @Test
    void unbalancedBracketsAreClosedAtTheEndOrKeptAsText() {
        assertThat(parse("(unbalanced")).containsExactly(w("unbalanced", 1.1));
        assertThat(parse("(a))")).containsExactly(w("a", 1.1), w(")", 1.0));
        assertThat(parse("a]")).containsExactly(w("a]", 1.0));
        assertThat(parse("([a")).containsExactly(w("a", 1.1 * (1 / 1.1)));
    }

    @Test
    void escapesAreLiteralAndOtherBackslashesVanish() {
        assertThat(parse("firefly \\(honkai: star rail\\)")).containsExactly(w("firefly (honkai: star rail)", 1.0));
        assertThat(parse("\\[a\\]")).containsExactly(w("[a]", 1.0));
        assertThat(parse("a \\\\ b")).containsExactly(w("a \\ b", 1.0));
        assertThat(parse("\\a\\{")).containsExactly(w("a{", 1.0));
        assertThat(parse("a\\")).containsExactly(w("a", 1.0));
        assertThat(parse("(\\(a\\):1.2)")).containsExactly(w("(a)", 1.2));
    }

    @Test
    void breakIsAWholeCaseSensitiveWordAndAMarkerEntry() {
        assertThat(parse("a BREAK b")).containsExactly(w("a", 1.0), w("BREAK", -1), w("b", 1.0));
        assertThat(parse("a BREAK b").get(1).isBreak()).isTrue();
        assertThat(parse("a BREAKING b")).containsExactly(w("a BREAKING b", 1.0));
        assertThat(parse("a break b")).containsExactly(w("a break b", 1.0));
        assertThat(parse("a, BREAK, b")).containsExactly(w("a,", 1.0), w("BREAK", -1), w(", b", 1.0));
        assertThat(parse("\\BREAK x")).containsExactly(w("", 1.0), w("BREAK", -1), w("x", 1.0));
        WeightedText inBrackets = parse("(a BREAK b)").get(1);
        assertThat(inBrackets).isEqualTo(w("BREAK", -1.1));
        assertThat(inBrackets.isBreak()).isFalse();
    }

    @Test
    void emptyInputAndEqualWeightsMerge() {
        assertThat(parse("")).containsExactly(w("", 1.0));
        assertThat(parse("(:3)")).containsExactly(w("", 1.0));
        assertThat(parse("(a)(b)")).containsExactly(w("ab", 1.1));
    }

    @Test
    void weightsPythonCannotReadAreRejected() {
        for (String bad : new String[] {"(a:1.2.3)", "(a:.)", "(a:1..2)", "(a:-.)"})
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("weight");
        assertThat(parse("a:1.2.3)")).containsExactly(w("a:1.2.3)", 1.0)); // without '(' nothing is converted
    }

    @Test
    void unicodeDigitsAreNumbersLikePythonFloat() {
        assertThat(parse("(a:１.５)")).containsExactly(w("a", 1.5));
    }
}
