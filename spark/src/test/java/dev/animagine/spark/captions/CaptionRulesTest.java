package dev.animagine.spark.captions;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.AnimagineVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaptionRulesTest {
    private static DanbooruPost post(String general, String meta, char rating, int year) {
        return new DanbooruPost(1, "a/1.jpg", general, "hatsune_miku", "vocaloid", "wlop", meta, rating, 10, year, 832, 1216);
    }

    @Test
    void underscoresBecomeSpacesExceptInShortTagsSoEmoticonsSurvive() {
        assertThat(DanbooruTags.split("long_hair ^_^ >_< o_o ;_; hatsune_miku"))
                .containsExactly("long hair", "^_^", ">_<", "o_o", ";_;", "hatsune miku");
        assertThat(DanbooruTags.split(null)).isEmpty();
        assertThat(DanbooruTags.split("  ")).isEmpty();
    }

    @Test
    void postMetaTagsAreDroppedImageMetaTagsKept() {
        for (String t : new String[] {"traditional_media_(medium)", "commentary_request", "english_commentary",
                "bad_id", "bad_pixiv_id", "translated", "check_translation", "tagme_request", "md5_mismatch",
                "revision", "has_audio", "video", "animated_video"}) {
            assertThat(DanbooruTags.isDroppedMeta(DanbooruTags.caption(t))).as(t).isTrue();
        }
        for (String t : new String[] {"highres", "absurdres", "lowres", "official_art", "animated"}) {
            assertThat(DanbooruTags.isDroppedMeta(DanbooruTags.caption(t))).as(t).isFalse();
        }
    }

    @Test
    void v31CaptionOrder() {
        CaptionRules rules = new CaptionRules(AnimagineVersion.V3_1);
        Caption c = rules.caption(post("1boy 1girl long_hair ^_^ male_focus multiple_girls smile",
                "absurdres commentary_request highres", 'e', 2012), "best quality");
        assertThat(c.text()).isEqualTo("1boy, 1girl, male focus, multiple girls, hatsune miku, vocaloid, wlop ||| "
                + "explicit, nsfw, long hair, ^_^, smile, early, absurdres, highres, best quality");
        assertThat(c.kept()).isEqualTo("1boy, 1girl, male focus, multiple girls, hatsune miku, vocaloid, wlop |||");
        assertThat(c.tags()).isEqualTo("explicit, nsfw, long hair, ^_^, smile, early, absurdres, highres, best quality");
    }

    @Test
    void v40CaptionOrder() {
        CaptionRules rules = new CaptionRules(AnimagineVersion.V4_0);
        Caption c = rules.caption(post("2girls smile", "translated", 'g', 2019), "great score");
        assertThat(c.text()).isEqualTo("2girls, hatsune miku, vocaloid, wlop ||| safe, smile, year 2019, great score");
    }

    @Test
    void ratingTagsPerVersion() {
        CaptionRules v31 = new CaptionRules(AnimagineVersion.V3_1);
        CaptionRules v40 = new CaptionRules(AnimagineVersion.V4_0);
        assertThat(new String[] {v31.ratingTag('g'), v31.ratingTag('s'), v31.ratingTag('q'), v31.ratingTag('e')})
                .containsExactly("safe", "sensitive", "nsfw", "explicit, nsfw");
        assertThat(new String[] {v40.ratingTag('g'), v40.ratingTag('s'), v40.ratingTag('q'), v40.ratingTag('e')})
                .containsExactly("safe", "sensitive", "nsfw", "explicit");
        assertThatThrownBy(() -> v31.ratingTag('x')).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void yearBandsOf31AndYearTagsOf40() {
        CaptionRules v31 = new CaptionRules(AnimagineVersion.V3_1);
        int[] years = {2005, 2010, 2011, 2014, 2015, 2017, 2018, 2020, 2021, 2024, 2025};
        String[] bands = {"oldest", "oldest", "early", "early", "mid", "mid", "recent", "recent", "newest", "newest", null};
        for (int i = 0; i < years.length; i++) assertThat(v31.yearTag(years[i])).as("" + years[i]).isEqualTo(bands[i]);
        CaptionRules v40 = new CaptionRules(AnimagineVersion.V4_0);
        assertThat(v40.yearTag(2005)).isEqualTo("year 2005");
        assertThat(v40.yearTag(2025)).isEqualTo("year 2025");
        assertThat(v40.yearTag(2026)).isNull();
    }

    @Test
    void qualityScaleCutsStrictlyAbove() {
        QualityScale s = QualityScale.of(AnimagineVersion.V3_1, null);
        double[] cuts = {95, 85, 75, 50, 25, 10};
        assertThat(s.tag(96, cuts)).isEqualTo("masterpiece");
        assertThat(s.tag(95, cuts)).isEqualTo("best quality");
        assertThat(s.tag(50.5, cuts)).isEqualTo("good quality");
        assertThat(s.tag(10, cuts)).isEqualTo("worst quality");
        assertThat(QualityScale.of(AnimagineVersion.V4_0, null).tags())
                .containsExactly("high score", "great score", "good score", "average score", "bad score", "low score");
        assertThat(QualityScale.parse("90,75%,0.5")).containsExactly(0.9, 0.75, 0.5);
        assertThatThrownBy(() -> QualityScale.of(AnimagineVersion.V4_0, QualityScale.parse("0.9,0.95,0.5,0.25,0.1")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("strictly decreasing");
        assertThatThrownBy(() -> QualityScale.of(AnimagineVersion.V4_0, QualityScale.parse("0.9")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("expected 5 cut points");
    }

    @Test
    void captionFilesMirrorTheImagePaths() {
        assertThat(CaptionWriter.captionFile("0123/4567.jpg")).isEqualTo("captions/0123/4567.txt");
        assertThat(CaptionWriter.captionFile("/data/a.b/x")).isEqualTo("captions/data/a.b/x.txt");
        assertThat(CaptionWriter.captionFile("42")).isEqualTo("captions/42.txt");
    }
}
