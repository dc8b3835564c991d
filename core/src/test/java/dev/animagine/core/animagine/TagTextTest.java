package dev.animagine.core.animagine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Splitting, underscores, escaping, emphasis kept, whitespace, bare forms. */
class TagTextTest {

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', value = {
            // Danbooru underscores
            "looking_at_viewer                  | looking at viewer",
            "hatsune_miku_(vocaloid)            | hatsune miku \\(vocaloid\\)",
            "^_^                                | ^_^",
            ">_<                                | >_<",
            "o_o                                | o_o",
            "<lora:style_v2:0.8>                | <lora:style_v2:0.8>",
            // qualifiers that belong to the tag are escaped
            "firefly (honkai: star rail)        | firefly \\(honkai: star rail\\)",
            "hoshimachi suisei (1st costume)    | hoshimachi suisei \\(1st costume\\)",
            "rem (re:zero)                      | rem \\(re:zero\\)",
            "1990s (style)                      | 1990s \\(style\\)",
            "foo (bar (baz))                    | foo (bar (baz))",
            "a BREAK (b)                        | a BREAK (b)",
            "a ((house:1.3)) [on]               | a ((house:1.3)) [on]",
            "(a (b (c)))                        | (a (b (c)))",
            // already escaped: unchanged
            "firefly \\(honkai: star rail\\)    | firefly \\(honkai: star rail\\)",
            // the user's emphasis stays, qualifiers inside it are escaped
            "(smile:1.2)                        | (smile:1.2)",
            "((smile))                          | ((smile))",
            "[abstract]                         | [abstract]",
            "(bad)                              | (bad)",
            "( smile : 1.2 )                    | (smile:1.2)",
            "(looking_at_viewer:1.1)            | (looking at viewer:1.1)",
            "(firefly (honkai: star rail):1.2)  | (firefly \\(honkai: star rail\\):1.2)",
            "((hoshimachi suisei (1st costume)))| ((hoshimachi suisei \\(1st costume\\)))",
            "(a) (b)                            | (a) (b)",
            "(a) b                              | (a) b",
            "blue (eyes:1.2)                    | blue (eyes:1.2)",
            "(>:3)                              | (>:3)",
            "(:3)                               | (:3)",
            // openers never closed would weight the rest of the prompt
            ":(                                 | :\\(",
            "firefly (honkai: star rail         | firefly \\(honkai: star rail",
            "smile :)                           | smile :)",
            // whitespace
            "'  long    hair  '                  | long hair",
            "BREAK                              | BREAK",
    })
    void normalize(String tag, String expected) {
        assertThat(TagText.normalize(tag).text()).isEqualTo(expected);
        assertThat(TagText.normalize(expected).text()).as("idempotent").isEqualTo(expected);
    }

    @Test
    void reportsWhatItFixed() {
        assertThat(TagText.normalize("firefly (honkai: star rail)").escapedQualifier()).isTrue();
        assertThat(TagText.normalize("firefly (honkai: star rail)").escapedUnclosed()).isFalse();
        assertThat(TagText.normalize(":(").escapedUnclosed()).isTrue();
        assertThat(TagText.normalize("(smile:1.2)").escapedQualifier()).isFalse();
        assertThat(TagText.normalize("firefly \\(honkai: star rail\\)").escapedQualifier()).isFalse();
    }

    @Test
    void splitsAtCommasAndLineBreaksOutsideBrackets() {
        assertThat(TagText.split("1girl , solo , smile ,")).containsExactly("1girl", "solo", "smile");
        assertThat(TagText.split("a\nb\r\nc,,d")).containsExactly("a", "b", "c", "d");
        assertThat(TagText.split("(masterpiece, best quality:1.2), 1girl"))
                .containsExactly("(masterpiece, best quality:1.2)", "1girl");
        assertThat(TagText.split("[a, b], \\(c, d\\)")).containsExactly("[a, b]", "\\(c", "d\\)");
        assertThat(TagText.split("1girl, crying, :(, tears")).containsExactly("1girl", "crying", ":(", "tears");
        assertThat(TagText.split("   ")).isEmpty();
        assertThat(TagText.split(null)).isEmpty();
    }

    @Test
    void groupsOfTagsInOneEmphasisAreNormalisedInside() {
        assertThat(TagText.normalize("(looking_at_viewer,  hatsune_miku_(vocaloid):1.2)").text())
                .isEqualTo("(looking at viewer, hatsune miku \\(vocaloid\\):1.2)");
    }

    @ParameterizedTest(name = "bare [{0}] = [{1}]")
    @CsvSource(delimiter = '|', value = {
            "(Firefly \\(honkai: star rail\\):1.2) | firefly (honkai: star rail)",
            "((masterpiece))                       | masterpiece",
            "[abstract]                            | abstract",
            "rating: general                       | rating: general",
            "Looking  At Viewer                    | looking at viewer",
    })
    void bare(String tag, String bare) {
        assertThat(TagText.bare(tag)).isEqualTo(bare);
    }

    @Test
    void unescapeResolvesA1111Escapes() {
        assertThat(TagText.unescape("firefly \\(honkai: star rail\\), \\[x\\], a\\\\b, \\z")).isEqualTo("firefly (honkai: star rail), [x], a\\b, z");
        assertThat(List.of(TagText.unescape("plain"))).containsExactly("plain");
    }
}
