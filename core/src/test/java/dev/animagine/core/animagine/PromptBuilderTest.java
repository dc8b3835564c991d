package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static dev.animagine.core.animagine.AnimagineVersion.V3_0;
import static dev.animagine.core.animagine.AnimagineVersion.V3_1;
import static dev.animagine.core.animagine.AnimagineVersion.V4_0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Template order, deduplication and the negative prompt's assembly. */
class PromptBuilderTest {
    private static PromptResult build(PromptRequest.Builder b) {
        return new PromptBuilder().build(b.build());
    }

    @Test
    void countTagsFirstThenCharacterSeriesRatingYearRestQualityLast() {
        PromptResult r = build(PromptRequest.builder().version(V4_0)
                .tags("smile, solo, masterpiece, 2girls, outdoors, multiple girls")
                .character("hatsune miku, kagamine rin").series("vocaloid").rating(Rating.SENSITIVE).year(2019));
        assertThat(r.prompt()).isEqualTo("2girls, multiple girls, hatsune miku, kagamine rin, vocaloid, sensitive, year 2019, "
                + "smile, solo, outdoors, masterpiece, high score, great score, absurdres");
    }

    @Test
    void v3PutsQualityFirstAndYearTagsByTable() {
        assertThat(build(PromptRequest.builder().version(V3_1).tags("solo, 1girl").year(2019).rating(Rating.EXPLICIT)).prompt())
                .isEqualTo("masterpiece, best quality, very aesthetic, absurdres, 1girl, explicit, nsfw, recent, solo");
        assertThat(build(PromptRequest.builder().version(V3_0).tags("solo, 1girl").year(2019)).prompt())
                .isEqualTo("masterpiece, best quality, 1girl, late, solo");
    }

    @Test
    void userWrittenQualityTagsMoveToTheVersionsPlaceAndKeepTheirWeights() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).tags("(masterpiece:1.2), 1girl, good score, smile"));
        assertThat(r.prompt()).isEqualTo("1girl, smile, (masterpiece:1.2), high score, great score, absurdres, good score");
        PromptResult off = build(PromptRequest.builder().version(V4_0).quality(false).tags("absurdres, 1girl, smile"));
        assertThat(off.prompt()).isEqualTo("1girl, smile, absurdres");
    }

    @Test
    void ratingAndYearTheUserWroteStayWhereWrittenAndAreNotAddedTwice() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).quality(false)
                .tags("1girl, hatsune miku, vocaloid, safe, year 2019, smile").rating(Rating.GENERAL).year(2019));
        assertThat(r.prompt()).isEqualTo("1girl, hatsune miku, vocaloid, safe, year 2019, smile");
    }

    @Test
    void flaggedCharacterWrittenAmongTheTagsMovesToItsPlace() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).quality(false)
                .tags("smile, (frieren:1.1), 1girl").character("frieren").series("sousou no frieren"));
        assertThat(r.prompt()).isEqualTo("1girl, (frieren:1.1), sousou no frieren, smile");
    }

    @Test
    void duplicatesRemovedKeepingTheFirstWhitespaceTidied() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).quality(false)
                .tags("1girl ,  long_hair, smile,, Long hair , long   hair, smile\nBREAK, blush, BREAK, night"));
        assertThat(r.prompt()).isEqualTo("1girl, long hair, smile, BREAK, blush, BREAK, night");
    }

    @Test
    void explicitEmphasisIsKeptAsWritten() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).quality(false)
                .tags("1girl, (smile:1.2), [[blush]], (masterpiece, best quality:1.2)"));
        assertThat(r.prompt()).isEqualTo("1girl, (smile:1.2), [[blush]], (masterpiece, best quality:1.2)");
    }

    @Test
    void negativeIsDefaultThenUsersDeduplicated() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).tags("1girl").negative("blurry, extra_arms, (ugly:1.2)"));
        assertThat(r.negativePrompt()).endsWith("username, blurry, extra arms, (ugly:1.2)");
        assertThat(r.negativePrompt()).containsOnlyOnce("blurry");
    }

    @Test
    void defaultNegativeYieldsToWhatThePromptAsksFor() {
        // 3.1's negative holds nsfw and oldest; asking for a questionable 2008 picture drops them from it.
        PromptResult r = build(PromptRequest.builder().version(V3_1).quality(false).tags("1girl")
                .rating(Rating.QUESTIONABLE).year(2008));
        assertThat(r.prompt()).isEqualTo("1girl, nsfw, oldest");
        assertThat(r.negativePrompt()).doesNotContain("nsfw").doesNotContain("oldest").startsWith("lowres, (bad), text");
        assertThat(r.warnings()).extracting(PromptWarning::message).containsExactly(
                "'nsfw' is left out of the default negative prompt because the prompt asks for it",
                "'oldest' is left out of the default negative prompt because the prompt asks for it");
        assertThat(r.warnings()).allMatch(PromptWarning::isNote)
                .extracting(PromptWarning::code).containsOnly(PromptWarning.DEFAULT_NEGATIVE_DROPPED);
    }

    @Test
    void userNegativeSharedWithThePromptIsKeptAndFlagged() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).defaultNegative(false).tags("1girl, smile").negative("smile"));
        assertThat(r.negativePrompt()).isEqualTo("smile");
        assertThat(r.warnings()).extracting(PromptWarning::code).containsExactly(PromptWarning.NEGATIVE_CONFLICT);
        assertThat(r.warnings().getFirst().isNote()).isFalse();
    }

    @Test
    void verbatimRequestKeepsTheTextAsWritten() {
        PromptResult r = build(PromptRequest.builder().tags("1girl, firefly \\(honkai: star rail\\),  smile ,smile")
                .negative("lowres").diffusersCompat(true).verbatim(true));
        assertThat(r.prompt()).isEqualTo("1girl, firefly \\(honkai: star rail\\),  smile ,smile");
        assertThat(r.negativePrompt()).isEqualTo("lowres");
        assertThat(build(PromptRequest.builder().tags("1girl").verbatim(true)).negativePrompt()).isEmpty();
    }

    @Test
    void emptyRequestGivesQualityTagsAndTheDefaultNegative() {
        PromptResult r = build(PromptRequest.builder());
        assertThat(r.prompt()).isEqualTo("masterpiece, high score, great score, absurdres");
        assertThat(r.width()).isEqualTo(832);
        assertThat(r.height()).isEqualTo(1216);
        assertThat(build(PromptRequest.builder().quality(false).defaultNegative(false)).prompt()).isEmpty();
        assertThat(build(PromptRequest.builder().quality(false).defaultNegative(false)).negativePrompt()).isEmpty();
    }

    @Test
    void diffusersCompatWritesQualifiersWithoutEscapes() {
        PromptResult r = build(PromptRequest.builder().version(V4_0).quality(false).diffusersCompat(true)
                .tags("1girl, firefly (honkai: star rail), honkai \\(series\\), (smile:1.2)"));
        assertThat(r.prompt()).isEqualTo("1girl, firefly (honkai: star rail), honkai (series), (smile:1.2)");
        assertThat(r.warnings()).extracting(PromptWarning::code).containsExactly(PromptWarning.EMPHASIS_IGNORED);
        assertThat(r.warnings().getFirst().message()).contains("'(smile:1.2)'");
    }

    @Test
    void aspectPicksABucketSizeIsTakenAsGivenBothIsAnError() {
        assertThat(build(PromptRequest.builder().aspect(AspectRatio.parse("2:3")))).extracting(PromptResult::width, PromptResult::height)
                .containsExactly(832, 1216);
        assertThat(build(PromptRequest.builder().size(ImageSize.parse("1536x640")))).extracting(PromptResult::width, PromptResult::height)
                .containsExactly(1536, 640);
        assertThatThrownBy(() -> build(PromptRequest.builder().aspect(AspectRatio.parse("2:3")).size(ImageSize.parse("832x1216"))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("--aspect").hasMessageContaining("--size");
    }

    @Test
    void yearOutsideTheVersionsTableIsAnError() {
        assertThatThrownBy(() -> build(PromptRequest.builder().version(V3_0).year(2024)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("--year 2024: Animagine XL 3.0 has year tags for 2005 to 2023 only");
    }
}
