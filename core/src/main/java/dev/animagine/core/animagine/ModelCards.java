package dev.animagine.core.animagine;

import java.util.List;
import java.util.Map;

import static dev.animagine.core.animagine.Rating.EXPLICIT;
import static dev.animagine.core.animagine.Rating.GENERAL;
import static dev.animagine.core.animagine.Rating.QUESTIONABLE;
import static dev.animagine.core.animagine.Rating.SENSITIVE;

/**
 * The three Animagine XL model cards on Hugging Face (cagliostrolab/animagine-xl-4.0, -3.1, -3.0),
 * transcribed. Section names below are the cards' own. 4.0 Opt and 4.0 Zero share 4.0's card.
 */
final class ModelCards {
    private ModelCards() {}

    /**
     * 4.0: "Usage Guidelines" (prompt structure, quality enhancement tags, negative prompt, optimal
     * settings) and "Special Tags" (quality, score, temporal and rating tags).
     */
    static final Conventions ANIMAGINE_4_0 = new Conventions(
            "Animagine XL 4.0",
            List.of("masterpiece", "best quality", "low quality", "worst quality"),
            List.of("high score", "great score", "good score", "average score", "bad score", "low score"),
            List.of(),
            Map.of(GENERAL, List.of("safe"),
                    SENSITIVE, List.of("sensitive"),
                    QUESTIONABLE, List.of("nsfw"),
                    EXPLICIT, List.of("explicit")),
            Conventions.everyYear(2005, 2025),
            List.of("masterpiece", "high score", "great score", "absurdres"),
            QualityPlacement.LAST,
            "lowres, bad anatomy, bad hands, text, error, missing finger, extra digits, fewer digits, cropped, "
                    + "worst quality, low quality, low score, bad score, average score, signature, watermark, "
                    + "username, blurry",
            List.of(),
            new Recommended("Euler a", 28, 5.0, "Euler a or DPM++ 2M Karras, 25-28 steps (28 recommended), CFG 4-7 (5 recommended)"));

    /**
     * 3.1: "Special Tags" (quality modifiers, rating modifiers, year modifier, aesthetic tags) and
     * "Recommended settings"; steps and CFG defaults from the card's diffusers example.
     */
    static final Conventions ANIMAGINE_3_1 = new Conventions(
            "Animagine XL 3.1",
            List.of("masterpiece", "best quality", "great quality", "good quality", "normal quality",
                    "low quality", "worst quality"),
            List.of(),
            List.of("very aesthetic", "aesthetic", "displeasing", "very displeasing"),
            Map.of(GENERAL, List.of("safe"),
                    SENSITIVE, List.of("sensitive"),
                    QUESTIONABLE, List.of("nsfw"),
                    EXPLICIT, List.of("explicit", "nsfw")),
            List.of(new YearRange("newest", 2021, 2024),
                    new YearRange("recent", 2018, 2020),
                    new YearRange("mid", 2015, 2017),
                    new YearRange("early", 2011, 2014),
                    new YearRange("oldest", 2005, 2010)),
            List.of("masterpiece", "best quality", "very aesthetic", "absurdres"),
            QualityPlacement.FIRST,
            "nsfw, lowres, (bad), text, error, fewer, extra, missing, worst quality, jpeg artifacts, low quality, "
                    + "watermark, unfinished, displeasing, oldest, early, chromatic aberration, signature, "
                    + "extra digits, artistic error, username, scan, [abstract]",
            List.of(),
            new Recommended("Euler a", 28, 7.0, "Euler a, fewer than 30 steps, CFG 5-7"));

    /**
     * 3.0: "Special Tags" (quality, rating and year modifiers) and "Recommended settings", whose
     * advice for general images is {@code rating: general} in the prompt and {@code nsfw, rating:
     * sensitive} in the negative; steps and CFG defaults from the card's diffusers example.
     */
    static final Conventions ANIMAGINE_3_0 = new Conventions(
            "Animagine XL 3.0",
            List.of("masterpiece", "best quality", "high quality", "medium quality", "normal quality",
                    "low quality", "worst quality"),
            List.of(),
            List.of(),
            Map.of(GENERAL, List.of("rating: general"),
                    SENSITIVE, List.of("rating: sensitive"),
                    QUESTIONABLE, List.of("rating: questionable", "nsfw"),
                    EXPLICIT, List.of("rating: explicit", "nsfw")),
            List.of(new YearRange("newest", 2022, 2023),
                    new YearRange("late", 2019, 2021),
                    new YearRange("mid", 2015, 2018),
                    new YearRange("early", 2011, 2014),
                    new YearRange("oldest", 2005, 2010)),
            List.of("masterpiece", "best quality"),
            QualityPlacement.FIRST,
            "nsfw, lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, fewer digits, "
                    + "cropped, worst quality, low quality, normal quality, jpeg artifacts, signature, watermark, "
                    + "username, blurry, artist name",
            List.of("nsfw", "rating: sensitive"),
            new Recommended("Euler a", 28, 7.0, "Euler a, fewer than 30 steps, CFG 5-7"));
}
