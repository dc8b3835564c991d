package dev.animagine.core.infotext;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A1111's parse_generation_parameters rules, case by case. */
class InfotextParserTest {
    @Test
    void lastLineIsParametersOnlyWithThreePairs() {
        GenerationParameters two = InfotextParser.parse("a cat\nSteps: 20, Seed: 1");
        assertThat(two.prompt()).isEqualTo("a cat\nSteps: 20, Seed: 1");
        assertThat(two.params()).isEmpty();
        GenerationParameters three = InfotextParser.parse("a cat\nSteps: 20, Seed: 1, Size: 64x64");
        assertThat(three.prompt()).isEqualTo("a cat");
        assertThat(three.steps()).isEqualTo(20);
        assertThat(three.size()).isEqualTo(new GenerationParameters.Size(64, 64));
    }

    @Test
    void negativePromptRunsToTheParametersLineAndLinesAreStripped() {
        GenerationParameters p = InfotextParser.parse("  one  \n two\nNegative prompt:  neg one \nneg two\nSteps: 1, Seed: 2, CFG scale: 3\n\n");
        assertThat(p.prompt()).isEqualTo("one\ntwo");
        assertThat(p.negativePrompt()).isEqualTo("neg one\nneg two");
    }

    @Test
    void quotedValuesFollowJsonAndBadJsonStaysAsWritten() {
        List<InfotextParser.Pair> pairs = InfotextParser.pairs(
                "Aa: \"x, y: \\\"z\\\" \\u00e9\\n\", Bb: \"bad \\q\", Cc: plain value, Dd: , Ee: \"\"");
        assertThat(pairs).extracting(InfotextParser.Pair::key).containsExactly("Aa", "Bb", "Cc", "Dd", "Ee");
        assertThat(pairs.get(0).value()).isEqualTo("x, y: \"z\" é\n");
        assertThat(pairs.get(1).value()).isEqualTo("\"bad \\q\"");
        assertThat(pairs.get(2).value()).isEqualTo("plain value");
        assertThat(pairs.get(3).value()).isEmpty();
        // re_param's quoted alternative needs a character, so "" is taken as a plain value, which unquote then decodes
        assertThat(pairs.get(4).raw()).isEqualTo("\"\"");
        assertThat(pairs.get(4).value()).isEmpty();
    }

    @Test
    void keysFollowReParam() {
        // a key starts with a word character and has at least two characters; '-', '/' and spaces are allowed inside
        List<InfotextParser.Pair> pairs = InfotextParser.pairs("X: 1, ADetailer dilate/erode: 4, Hires-x y: 2, Model: a:b");
        assertThat(pairs).extracting(InfotextParser.Pair::key).containsExactly("ADetailer dilate/erode", "Hires-x y", "Model");
        assertThat(pairs.get(2).value()).isEqualTo("a:b");
    }

    @Test
    void civitaiJsonValuesStayWholeButOnlyWhenBalanced() {
        List<InfotextParser.Pair> pairs = InfotextParser.pairs("Hashes: {\"a\": \"1\", \"b\": \"2\"}, Steps: 3, Broken: {\"a\": 1, Seed: 4");
        assertThat(pairs).extracting(InfotextParser.Pair::key).containsExactly("Hashes", "Steps", "Broken", "Seed");
        assertThat(pairs.get(0).value()).isEqualTo("{\"a\": \"1\", \"b\": \"2\"}");
        assertThat(pairs.get(2).value()).isEqualTo("{\"a\": 1"); // not balanced: cut at the comma as A1111 does
    }

    @Test
    void pasteDefaultsAndDuplicates() {
        GenerationParameters p = InfotextParser.parse("p\nSteps: 1, Seed: 2, Seed: 3, CFG scale: 4");
        assertThat(p.clipSkip()).isEqualTo(1);
        assertThat(p.rng()).isEqualTo("GPU");
        assertThat(p.scheduleType()).isEqualTo("Automatic");
        assertThat(p.seed()).isEqualTo(3L); // a later pair wins, as in A1111's dict
    }

    @Test
    void combinedSamplerNamesSplitAndTheSuffixWins() {
        assertThat(A1111Samplers.split("DPM++ 2M Karras")).isEqualTo(new A1111Samplers.Split("DPM++ 2M", "Karras"));
        assertThat(A1111Samplers.split("DPM++ 2M SDE Exponential")).isEqualTo(new A1111Samplers.Split("DPM++ 2M SDE", "Exponential"));
        assertThat(A1111Samplers.split("Euler a")).isEqualTo(new A1111Samplers.Split("Euler a", null));
        assertThat(A1111Samplers.split("DDIM")).isEqualTo(new A1111Samplers.Split("DDIM", null));
        assertThat(A1111Samplers.split("Euler SGMUniform")).isEqualTo(new A1111Samplers.Split("Euler", "SGM Uniform"));
        GenerationParameters p = InfotextParser.parse("p\nSteps: 1, Sampler: DPM++ 2M Karras, Schedule type: Exponential");
        assertThat(p.sampler()).isEqualTo("DPM++ 2M");
        assertThat(p.scheduleType()).isEqualTo("Karras");
        assertThat(InfotextParser.parse("p\nSteps: 1, Sampler: Euler, Schedule type: karras").scheduleType()).isEqualTo("Karras");
    }

    @Test
    void oldHiresFixFirstPassSize() {
        // A1111's old_hires_fix_first_pass_dimensions for a 1024x1536 target: 448x640 (about 512x512 pixels, sides rounded up to 64)
        assertThat(ParameterReader.oldFirstPass(new GenerationParameters.Size(512, 768))).isEqualTo(new GenerationParameters.Size(448, 640));
        GenerationParameters p = InfotextParser.parse("p\nSteps: 1, Size: 1024x1024, First pass size: 640x384, Denoising strength: 0.5");
        assertThat(p.size()).isEqualTo(new GenerationParameters.Size(640, 384));
        assertThat(p.hires().resize()).isEqualTo(new GenerationParameters.Size(1024, 1024));
    }

    @Test
    void badValuesAreReportedNotGuessed() {
        GenerationParameters p = InfotextParser.parse("p\nSteps: 1.5, Size: 512 by 512, Seed: 18446744073709551616, CFG scale: x");
        assertThat(p.steps()).isNull();
        assertThat(p.size()).isNull();
        assertThat(p.seed()).isNull();
        assertThat(p.cfgScale()).isNull();
        assertThat(p.invalidValues()).hasSize(4);
        assertThat(InfotextParser.parse("p\nSteps: 1, Seed: 18446744073709551615, CFG scale: 1").seed()).isEqualTo(-1L);
    }
}
