package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static dev.animagine.core.animagine.AnimagineVersion.V3_0;
import static dev.animagine.core.animagine.AnimagineVersion.V3_1;
import static dev.animagine.core.animagine.AnimagineVersion.V4_0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every tag table of the three model cards, one row per card entry (typed from the cards). */
class ConventionsTest {

    @ParameterizedTest(name = "{0}: quality tags {1}")
    @CsvSource(delimiter = '|', value = {
            "4.0 | masterpiece, best quality, low quality, worst quality",
            "3.1 | masterpiece, best quality, great quality, good quality, normal quality, low quality, worst quality",
            "3.0 | masterpiece, best quality, high quality, medium quality, normal quality, low quality, worst quality",
    })
    void qualityTags(String version, String tags) {
        assertThat(AnimagineVersion.parse(version).conventions().qualityTags()).isEqualTo(list(tags));
    }

    @ParameterizedTest(name = "{0}: score tags {1}")
    @CsvSource(delimiter = '|', value = {
            "4.0 | high score, great score, good score, average score, bad score, low score",
            "3.1 | ''",
            "3.0 | ''",
    })
    void scoreTags(String version, String tags) {
        assertThat(AnimagineVersion.parse(version).conventions().scoreTags()).isEqualTo(list(tags));
    }

    @ParameterizedTest(name = "{0}: aesthetic tags {1}")
    @CsvSource(delimiter = '|', value = {
            "4.0 | ''",
            "3.1 | very aesthetic, aesthetic, displeasing, very displeasing",
            "3.0 | ''",
    })
    void aestheticTags(String version, String tags) {
        assertThat(AnimagineVersion.parse(version).conventions().aestheticTags()).isEqualTo(list(tags));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "4.0 | general      | safe",
            "4.0 | sensitive    | sensitive",
            "4.0 | questionable | nsfw",
            "4.0 | explicit     | explicit",
            "3.1 | general      | safe",
            "3.1 | sensitive    | sensitive",
            "3.1 | questionable | nsfw",
            "3.1 | explicit     | explicit, nsfw",
            "3.0 | general      | rating: general",
            "3.0 | sensitive    | rating: sensitive",
            "3.0 | questionable | rating: questionable, nsfw",
            "3.0 | explicit     | rating: explicit, nsfw",
    })
    void ratingTags(String version, String rating, String tags) {
        Conventions c = AnimagineVersion.parse(version).conventions();
        assertThat(c.ratingTags(Rating.valueOf(rating.toUpperCase()))).isEqualTo(list(tags));
        PromptResult r = new PromptBuilder().build(PromptRequest.builder().version(AnimagineVersion.parse(version))
                .quality(false).tags("1girl").rating(Rating.valueOf(rating.toUpperCase())).build());
        assertThat(r.prompt()).isEqualTo("1girl, " + tags);
    }

    /** Each year table's edges: first and last year of every range, and 2019 from the issue. */
    @ParameterizedTest(name = "{0} year {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "4.0 | 2005 | year 2005", "4.0 | 2019 | year 2019", "4.0 | 2025 | year 2025",
            "3.1 | 2005 | oldest", "3.1 | 2010 | oldest", "3.1 | 2011 | early", "3.1 | 2014 | early",
            "3.1 | 2015 | mid", "3.1 | 2017 | mid", "3.1 | 2018 | recent", "3.1 | 2019 | recent", "3.1 | 2020 | recent",
            "3.1 | 2021 | newest", "3.1 | 2024 | newest",
            "3.0 | 2005 | oldest", "3.0 | 2010 | oldest", "3.0 | 2011 | early", "3.0 | 2014 | early",
            "3.0 | 2015 | mid", "3.0 | 2018 | mid", "3.0 | 2019 | late", "3.0 | 2021 | late",
            "3.0 | 2022 | newest", "3.0 | 2023 | newest",
    })
    void yearTags(String version, int year, String tag) {
        assertThat(AnimagineVersion.parse(version).conventions().yearTag(year)).isEqualTo(tag);
    }

    @ParameterizedTest(name = "{0} has no year tag for {1}")
    @CsvSource({"4.0, 2004", "4.0, 2026", "3.1, 2004", "3.1, 2025", "3.0, 2004", "3.0, 2024"})
    void yearsOutsideTheCards(String version, int year) {
        assertThatThrownBy(() -> AnimagineVersion.parse(version).conventions().yearTag(year))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--year " + year);
    }

    @ParameterizedTest(name = "{0}: --quality adds {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "4.0 | masterpiece, high score, great score, absurdres | LAST",
            "3.1 | masterpiece, best quality, very aesthetic, absurdres | FIRST",
            "3.0 | masterpiece, best quality | FIRST",
    })
    void qualityEnhancement(String version, String tags, QualityPlacement placement) {
        Conventions c = AnimagineVersion.parse(version).conventions();
        assertThat(c.qualityEnhancement()).isEqualTo(list(tags));
        assertThat(c.qualityPlacement()).isEqualTo(placement);
        String prompt = new PromptBuilder().build(PromptRequest.builder().version(AnimagineVersion.parse(version))
                .tags("1girl, solo").build()).prompt();
        assertThat(prompt).isEqualTo(placement == QualityPlacement.LAST ? "1girl, solo, " + tags : tags + ", 1girl, solo");
    }

    @ParameterizedTest(name = "{0}: default negative")
    @CsvSource(delimiter = '|', value = {
            "4.0 | lowres, bad anatomy, bad hands, text, error, missing finger, extra digits, fewer digits, cropped, "
                    + "worst quality, low quality, low score, bad score, average score, signature, watermark, username, blurry",
            "3.1 | nsfw, lowres, (bad), text, error, fewer, extra, missing, worst quality, jpeg artifacts, low quality, "
                    + "watermark, unfinished, displeasing, oldest, early, chromatic aberration, signature, extra digits, "
                    + "artistic error, username, scan, [abstract]",
            "3.0 | nsfw, lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, fewer digits, cropped, "
                    + "worst quality, low quality, normal quality, jpeg artifacts, signature, watermark, username, blurry, "
                    + "artist name",
    })
    void defaultNegative(String version, String negative) {
        assertThat(AnimagineVersion.parse(version).conventions().defaultNegative()).isEqualTo(negative);
        PromptResult r = new PromptBuilder().build(PromptRequest.builder().version(AnimagineVersion.parse(version))
                .tags("1girl").build());
        assertThat(r.negativePrompt()).isEqualTo(negative);
        PromptResult off = new PromptBuilder().build(PromptRequest.builder().version(AnimagineVersion.parse(version))
                .tags("1girl").defaultNegative(false).negative("bad hands, ugly").build());
        assertThat(off.negativePrompt()).isEqualTo("bad hands, ugly");
    }

    @ParameterizedTest(name = "{0}: {1}, {2} steps, CFG {3}")
    @CsvSource({"4.0, Euler a, 28, 5.0", "3.1, Euler a, 28, 7.0", "3.0, Euler a, 28, 7.0"})
    void recommendedSettings(String version, String sampler, int steps, double cfg) {
        Recommended r = AnimagineVersion.parse(version).conventions().recommended();
        assertThat(r.sampler()).isEqualTo(sampler);
        assertThat(r.steps()).isEqualTo(steps);
        assertThat(r.cfg()).isEqualTo(cfg);
    }

    @ParameterizedTest(name = "--animagine {0}")
    @CsvSource({"4, V4_0", "4.0, V4_0", "v4, V4_0", "3.1, V3_1", "3.0, V3_0", "3, V3_0"})
    void versionFlag(String flag, AnimagineVersion version) {
        assertThat(AnimagineVersion.parse(flag)).isEqualTo(version);
    }

    @ParameterizedTest(name = "--animagine {0} is refused")
    @CsvSource({"2.0", "3.5", "xl", "''"})
    void badVersionFlag(String flag) {
        assertThatThrownBy(() -> AnimagineVersion.parse(flag)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--animagine").hasMessageContaining("4, 3.1 or 3.0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"V4_0, Animagine XL 4.0", "V3_1, Animagine XL 3.1", "V3_0, Animagine XL 3.0"})
    void modelNames(AnimagineVersion v, String name) {
        assertThat(v.modelName()).isEqualTo(name);
        assertThat(List.of(V4_0, V3_1, V3_0)).contains(v);
    }

    private static List<String> list(String commaSeparated) {
        return commaSeparated.isBlank() ? List.of() : List.of(commaSeparated.split(", "));
    }
}
