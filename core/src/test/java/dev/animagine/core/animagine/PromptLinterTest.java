package dev.animagine.core.animagine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.animagine.core.animagine.AnimagineVersion.V3_0;
import static dev.animagine.core.animagine.AnimagineVersion.V3_1;
import static dev.animagine.core.animagine.AnimagineVersion.V4_0;
import static org.assertj.core.api.Assertions.assertThat;

/** Each lint rule: fires on what it is about, stays quiet on the card examples. */
class PromptLinterTest {
    /**
     * A stand-in for the CLIP tokenizer: one token per word or punctuation mark, the way CLIP's
     * pre-tokenizer splits Danbooru tags (real BPE may split a word further).
     */
    static final TokenCounter WORDS = text -> {
        Matcher m = Pattern.compile("[\\p{L}\\p{N}]+|[^\\s\\p{L}\\p{N}]").matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    };

    private static List<PromptWarning> lint(PromptRequest.Builder b) {
        return new PromptBuilder(WORDS).build(b.build()).warnings();
    }

    private static List<String> codes(PromptRequest.Builder b) {
        return lint(b).stream().map(PromptWarning::code).toList();
    }

    @ParameterizedTest(name = "{0}: [{1}] is another version's")
    @CsvSource(delimiter = '|', value = {
            "4.0 | very aesthetic   | Animagine XL 3.1",
            "4.0 | great quality    | Animagine XL 3.1",
            "4.0 | high quality     | Animagine XL 3.0",
            "4.0 | normal quality   | Animagine XL 3.1 and 3.0",
            "4.0 | newest           | Animagine XL 3.1 and 3.0",
            "4.0 | late             | Animagine XL 3.0",
            "4.0 | rating: general  | Animagine XL 3.0",
            "3.1 | high score       | Animagine XL 4.0",
            "3.1 | year 2019        | Animagine XL 4.0",
            "3.1 | rating: sensitive| Animagine XL 3.0",
            "3.1 | medium quality   | Animagine XL 3.0",
            "3.0 | low score        | Animagine XL 4.0",
            "3.0 | safe             | Animagine XL 4.0 and 3.1",
            "3.0 | very displeasing | Animagine XL 3.1",
            "3.0 | recent           | Animagine XL 3.1",
            "3.0 | year 1999        | Animagine XL 4.0",
    })
    void otherVersionTags(String version, String tag, String owner) {
        List<PromptWarning> w = lint(PromptRequest.builder().version(AnimagineVersion.parse(version)).quality(false)
                .tags("1girl, " + tag + ", smile"));
        assertThat(w).extracting(PromptWarning::code).containsExactly(PromptWarning.OTHER_VERSION_TAG);
        assertThat(w.getFirst().message()).contains("'" + tag + "' is an " + owner + " tag");
    }

    @Test
    void otherVersionTagsSuggestThisVersionsTag() {
        assertThat(lint(PromptRequest.builder().version(V4_0).tags("1girl, rating: general")).getFirst().message())
                .endsWith("(use 'safe')");
        assertThat(lint(PromptRequest.builder().version(V3_1).tags("1girl, year 2019")).getFirst().message())
                .endsWith("(use 'recent')");
        assertThat(lint(PromptRequest.builder().version(V4_0).tags("1girl, recent")).getFirst().message())
                .endsWith("(use 'year 2018' to 'year 2020')");
        assertThat(lint(PromptRequest.builder().version(V3_0).tags("1girl, explicit")).getFirst().message())
                .endsWith("(use 'rating: explicit, nsfw')");
    }

    @Test
    void sharedTagsAreNotAnotherVersions() {
        // masterpiece, best quality, nsfw, absurdres belong to every version (or to none)
        assertThat(lint(PromptRequest.builder().version(V4_0).quality(false).tags("1girl, nsfw, smile, best quality, absurdres, masterpiece")))
                .isEmpty();
        assertThat(lint(PromptRequest.builder().version(V3_0).defaultNegative(false).tags("1girl, absurdres, nsfw"))).isEmpty();
    }

    @Test
    void qualityTagsNotAtTheEndIn40() {
        List<PromptWarning> w = lint(PromptRequest.builder().version(V4_0).tags("masterpiece, best quality, 1girl, smile, high score"));
        assertThat(w).extracting(PromptWarning::code).containsExactly(PromptWarning.QUALITY_NOT_LAST);
        assertThat(w.getFirst().message()).contains("'masterpiece, best quality'");
        assertThat(codes(PromptRequest.builder().version(V4_0).tags("1girl, smile, masterpiece, high score"))).isEmpty();
        assertThat(codes(PromptRequest.builder().version(V3_1).tags("1girl, masterpiece, smile"))).isEmpty();
    }

    @Test
    void naturalLanguage() {
        // the 3.0 Space's own natural-language example
        List<PromptWarning> w = lint(PromptRequest.builder().version(V4_0).tags("A boy and a girl, Emiya Shirou and Artoria "
                + "Pendragon from fate series, having their breakfast in the dining room. Emiya Shirou wears white t-shirt "
                + "and jacket. Rice, soup, and minced meats are served on the table. They look at each other while smiling"));
        assertThat(w).extracting(PromptWarning::code).contains(PromptWarning.NATURAL_LANGUAGE);
        assertThat(codes(PromptRequest.builder().version(V4_0).tags("1girl, hand on own cheek, reaching towards viewer, "
                + "re:zero kara hajimeru isekai seikatsu, the legend of zelda: breath of the wild, dr. stone"))).isEmpty();
        assertThat(codes(PromptRequest.builder().negative("she is ugly and has bad hands"))).contains(PromptWarning.NATURAL_LANGUAGE);
    }

    @Test
    void unescapedParenthesesAndUnclosedBrackets() {
        List<PromptWarning> w = lint(PromptRequest.builder().tags("1girl, firefly (honkai: star rail), crying, :("));
        assertThat(w).extracting(PromptWarning::code)
                .containsExactly(PromptWarning.UNESCAPED_PARENTHESES, PromptWarning.UNCLOSED_BRACKET);
        assertThat(w.getFirst().message()).isEqualTo("'firefly (honkai: star rail)': A1111 would read the parentheses as "
                + "emphasis, not as part of the tag; written as 'firefly \\(honkai: star rail\\)'");
        // flags and wildcard lists are data: escaped without a warning
        assertThat(codes(PromptRequest.builder().character("hoshimachi suisei (1st costume)"))).isEmpty();
        assertThat(codes(PromptRequest.builder().tags("__c__").seed(1L)
                .wildcards(Wildcards.of(java.util.Map.of("c", List.of("1girl, amiya (arknights), arknights")))))).isEmpty();
        assertThat(codes(PromptRequest.builder().tags("1girl, firefly \\(honkai: star rail\\), (smile:1.2)"))).isEmpty();
    }

    @Test
    void sizesOutsideTheBucketsOrAboveTheirArea() {
        assertThat(codes(PromptRequest.builder().size(ImageSize.parse("832x1216")))).isEmpty();
        assertThat(codes(PromptRequest.builder().size(ImageSize.parse("800x1200")))).containsExactly(PromptWarning.SIZE_NOT_TRAINED);
        assertThat(lint(PromptRequest.builder().size(ImageSize.parse("800x1200"))).getFirst().message())
                .isEqualTo("size 800x1200 is not one of the nine trained sizes; the nearest in shape is 832x1216");
        assertThat(codes(PromptRequest.builder().size(ImageSize.parse("1536x1536"))))
                .containsExactly(PromptWarning.SIZE_NOT_TRAINED, PromptWarning.SIZE_TOO_LARGE);
        assertThat(codes(PromptRequest.builder().size(ImageSize.parse("512x512")))).containsExactly(PromptWarning.SIZE_NOT_TRAINED);
    }

    @Test
    void truncationNamesTheTagsCutInDiffusersMode() {
        StringBuilder tags = new StringBuilder("1girl");
        for (int i = 0; i < 40; i++) tags.append(", tag").append(i);
        // 1girl + 40 tags + 39 commas = 80 tokens before the quality tags: the 4.0 quality tags fall off the end
        PromptResult r = new PromptBuilder(WORDS).build(PromptRequest.builder().version(V4_0).tags(tags.toString()).build());
        List<PromptWarning> w = r.warnings().stream().filter(x -> x.code().equals(PromptWarning.TRUNCATED)).toList();
        assertThat(w).hasSize(1);
        int total = WORDS.count(r.prompt());
        assertThat(w.getFirst().message()).startsWith("prompt is " + total + " CLIP tokens; with --compat diffusers only 75 "
                + "are kept and these tags would be cut: tag37, tag38, tag39, masterpiece, high score (and 2 more)");
        // exactly the first tag whose prefix passes 75 tokens: "1girl, tag0, ..., tag36" is 75
        assertThat(WORDS.count("1girl" + ", tag0, tag1, tag2, tag3, tag4, tag5, tag6, tag7, tag8, tag9, tag10, tag11, tag12, "
                + "tag13, tag14, tag15, tag16, tag17, tag18, tag19, tag20, tag21, tag22, tag23, tag24, tag25, tag26, tag27, "
                + "tag28, tag29, tag30, tag31, tag32, tag33, tag34, tag35, tag36")).isEqualTo(75);

        PromptResult compat = new PromptBuilder(WORDS).build(PromptRequest.builder().version(V4_0).tags(tags.toString())
                .diffusersCompat(true).build());
        assertThat(compat.warnings()).extracting(PromptWarning::message)
                .anyMatch(m -> m.contains("diffusers-compatible encoding keeps 75, so these tags are cut: tag37"));
        assertThat(new PromptBuilder(WORDS).build(PromptRequest.builder().tags("1girl, smile").build()).warnings()).isEmpty();
        // the long 3.1 default negative fits
        assertThat(new PromptBuilder(WORDS).build(PromptRequest.builder().version(V3_1).tags("1girl").build()).warnings()).isEmpty();
    }

    @Test
    void noCounterNoTruncationRule() {
        StringBuilder tags = new StringBuilder("1girl");
        for (int i = 0; i < 100; i++) tags.append(", tag").append(i);
        assertThat(new PromptBuilder().build(PromptRequest.builder().tags(tags.toString()).build()).warnings()).isEmpty();
    }

    @Test
    void cardExamplesAreClean() {
        assertThat(lint(PromptRequest.builder().version(V3_0).quality(false)
                .tags("1girl, arima kana, oshi no ko, solo, upper body, v, smile, looking at viewer, outdoors, night"))).isEmpty();
        assertThat(lint(PromptRequest.builder().version(V4_0).size(ImageSize.parse("832x1216"))
                .tags("1girl, firefly \\(honkai: star rail\\), honkai \\(series\\), honkai: star rail, safe, casual, solo, "
                        + "looking at viewer, outdoors, smile, reaching towards viewer, night"))).isEmpty();
    }
}
