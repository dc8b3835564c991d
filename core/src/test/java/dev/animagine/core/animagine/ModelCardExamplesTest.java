package dev.animagine.core.animagine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example prompts of the three model cards come out exactly as the cards write them when the
 * same options are chosen. Expected strings are typed from the cards (Hugging Face
 * cagliostrolab/animagine-xl-4.0, -3.1, -3.0), not from this tool's output.
 */
class ModelCardExamplesTest {
    private static final String NEGATIVE_4_0 = "lowres, bad anatomy, bad hands, text, error, missing finger, extra digits, "
            + "fewer digits, cropped, worst quality, low quality, low score, bad score, average score, signature, "
            + "watermark, username, blurry";
    private static final String NEGATIVE_3_1 = "nsfw, lowres, (bad), text, error, fewer, extra, missing, worst quality, "
            + "jpeg artifacts, low quality, watermark, unfinished, displeasing, oldest, early, chromatic aberration, "
            + "signature, extra digits, artistic error, username, scan, [abstract]";
    private static final String NEGATIVE_3_0 = "nsfw, lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, "
            + "fewer digits, cropped, worst quality, low quality, normal quality, jpeg artifacts, signature, watermark, "
            + "username, blurry, artist name";

    /** 4.0 card, "Final Prompt Structure Example". */
    private static final String FIREFLY = "1girl, firefly \\(honkai: star rail\\), honkai \\(series\\), honkai: star rail, "
            + "safe, casual, solo, looking at viewer, outdoors, smile, reaching towards viewer, night, masterpiece, "
            + "high score, great score, absurdres";

    private static PromptResult build(PromptRequest.Builder b) {
        return new PromptBuilder().build(b.build());
    }

    @Test
    void firefly40AsWrittenOnTheCard() {
        PromptResult r = build(PromptRequest.builder().tags(FIREFLY));
        assertThat(r.prompt()).isEqualTo(FIREFLY);
        assertThat(r.negativePrompt()).isEqualTo(NEGATIVE_4_0);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void firefly40FromFlagsAndUnescapedTags() {
        PromptResult r = build(PromptRequest.builder()
                .tags("casual, solo, looking at viewer, outdoors, smile, reaching towards viewer, night, 1girl")
                .character("firefly (honkai: star rail)")
                .series("honkai (series), honkai: star rail")
                .rating(Rating.GENERAL));
        assertThat(r.prompt()).isEqualTo(FIREFLY);
    }

    @Test
    void firefly40FromDanbooruSpelling() {
        PromptResult r = build(PromptRequest.builder()
                .tags("1girl, firefly_(honkai:_star_rail), honkai_(series), honkai:_star_rail, safe, casual, solo, "
                        + "looking_at_viewer, outdoors, smile, reaching_towards_viewer, night"));
        assertThat(r.prompt()).isEqualTo(FIREFLY);
    }

    /** 4.0 card, diffusers example. */
    @Test
    void arimaKanaCosplay40() {
        String card = "1girl, arima kana, oshi no ko, hoshimachi suisei, hoshimachi suisei \\(1st costume\\), cosplay, "
                + "looking at viewer, smile, outdoors, night, v, masterpiece, high score, great score, absurdres";
        PromptResult r = build(PromptRequest.builder()
                .tags("1girl, arima kana, oshi no ko, hoshimachi suisei, hoshimachi suisei (1st costume), cosplay, "
                        + "looking at viewer, smile, outdoors, night, v"));
        assertThat(r.prompt()).isEqualTo(card);
        assertThat(r.negativePrompt()).isEqualTo(NEGATIVE_4_0);
    }

    /** 4.0 card, widget example (1boy). */
    @Test
    void widget1boy40() {
        PromptResult r = build(PromptRequest.builder()
                .tags("1boy, male focus, green hair, sweater, looking at viewer, upper body, beanie, outdoors, night, turtleneck"));
        assertThat(r.prompt()).isEqualTo("1boy, male focus, green hair, sweater, looking at viewer, upper body, beanie, "
                + "outdoors, night, turtleneck, masterpiece, high score, great score, absurdres");
    }

    /** 3.0 card, diffusers example: no quality tags, the card's negative. */
    @Test
    void arimaKana30() {
        String card = "1girl, arima kana, oshi no ko, solo, upper body, v, smile, looking at viewer, outdoors, night";
        PromptResult asWritten = build(PromptRequest.builder().version(AnimagineVersion.V3_0).quality(false).tags(card));
        assertThat(asWritten.prompt()).isEqualTo(card);
        assertThat(asWritten.negativePrompt()).isEqualTo(NEGATIVE_3_0);
        assertThat(asWritten.warnings()).isEmpty();

        PromptResult fromFlags = build(PromptRequest.builder().model("/models/animagine-xl-3.0.safetensors").quality(false)
                .tags("solo, upper body, v, smile, looking at viewer, outdoors, night, 1girl")
                .character("arima kana").series("oshi no ko"));
        assertThat(fromFlags.prompt()).isEqualTo(card);
        assertThat(fromFlags.negativePrompt()).isEqualTo(NEGATIVE_3_0);
        assertThat(fromFlags.version()).isEqualTo(AnimagineVersion.V3_0);
    }

    /** 3.0 card, "Recommended settings": prepend masterpiece, best quality. */
    @Test
    void qualityPrefix30() {
        PromptResult r = build(PromptRequest.builder().version(AnimagineVersion.V3_0)
                .tags("1girl, arima kana, oshi no ko, solo, upper body, v, smile, looking at viewer, outdoors, night"));
        assertThat(r.prompt()).isEqualTo("masterpiece, best quality, 1girl, arima kana, oshi no ko, solo, upper body, v, "
                + "smile, looking at viewer, outdoors, night");
    }

    /** 3.0 card: for general images, rating: general in the prompt and nsfw, rating: sensitive in the negative. */
    @Test
    void generalRatingAdvice30() {
        PromptResult r = build(PromptRequest.builder().version(AnimagineVersion.V3_0).quality(false)
                .tags("1girl, solo").character("arima kana").series("oshi no ko").rating(Rating.GENERAL));
        assertThat(r.prompt()).isEqualTo("1girl, arima kana, oshi no ko, rating: general, solo");
        assertThat(r.negativePrompt()).isEqualTo(NEGATIVE_3_0 + ", rating: sensitive");
    }

    /** 3.1 card, diffusers example, with the card's negative and its quality prefix. */
    @Test
    void asuka31() {
        String card = "1girl, souryuu asuka langley, neon genesis evangelion, solo, upper body, v, smile, looking at viewer, "
                + "outdoors, night";
        PromptResult plain = build(PromptRequest.builder().model("animagineXLV31_v31.safetensors").quality(false).tags(card));
        assertThat(plain.prompt()).isEqualTo(card);
        assertThat(plain.negativePrompt()).isEqualTo(NEGATIVE_3_1);
        PromptResult prefixed = build(PromptRequest.builder().version(AnimagineVersion.V3_1).tags(card));
        assertThat(prefixed.prompt()).isEqualTo("masterpiece, best quality, very aesthetic, absurdres, " + card);
    }
}
