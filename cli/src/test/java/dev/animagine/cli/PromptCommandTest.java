package dev.animagine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code animagine prompt} end to end through {@link Main}: output formats, exit codes, errors. */
class PromptCommandTest {
    private static final String FIREFLY = "1girl, firefly \\(honkai: star rail\\), honkai \\(series\\), honkai: star rail, "
            + "safe, casual, solo, looking at viewer, outdoors, smile, reaching towards viewer, night, masterpiece, "
            + "high score, great score, absurdres";
    private static final String NEGATIVE_4_0 = "lowres, bad anatomy, bad hands, text, error, missing finger, extra digits, "
            + "fewer digits, cropped, worst quality, low quality, low score, bad score, average score, signature, "
            + "watermark, username, blurry";

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void fireflyFromTheCardWithFlags() {
        Run r = run("prompt", "--character", "firefly (honkai: star rail)", "--series", "honkai (series), honkai: star rail",
                "--rating", "general", "--aspect", "portrait",
                "casual, solo, looking at viewer, outdoors, smile", "reaching towards viewer", "night", "1girl");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                FIREFLY,
                "Negative prompt: " + NEGATIVE_4_0,
                "Size: 832x1216",
                "Recommended for Animagine XL 4.0: Euler a or DPM++ 2M Karras, 25-28 steps (28 recommended), CFG 4-7 (5 recommended)");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void arimaKanaFrom30CardWithVersionFromTheModelName() {
        Run r = run("prompt", "--model", "/nowhere/animagine-xl-3.0.safetensors", "--quality", "off",
                "1girl, arima kana, oshi no ko, solo, upper body, v, smile, looking at viewer, outdoors, night");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().limit(2).toList()).containsExactly(
                "1girl, arima kana, oshi no ko, solo, upper body, v, smile, looking at viewer, outdoors, night",
                "Negative prompt: nsfw, lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, "
                        + "fewer digits, cropped, worst quality, low quality, normal quality, jpeg artifacts, signature, "
                        + "watermark, username, blurry, artist name");
    }

    @Test
    void jsonHasExactlyTheDocumentedKeys() throws IOException {
        Run r = run("prompt", "--json", "--size", "1000x1000", "--default-negative", "off", "--negative", "lowres",
                "--animagine", "3.1", "1girl", "high score");
        assertThat(r.exit()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        List<String> keys = new ArrayList<>();
        j.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("prompt", "negative_prompt", "width", "height", "warnings");
        assertThat(j.get("prompt").asText()).isEqualTo("masterpiece, best quality, very aesthetic, absurdres, 1girl, high score");
        assertThat(j.get("negative_prompt").asText()).isEqualTo("lowres");
        assertThat(j.get("width").asInt()).isEqualTo(1000);
        assertThat(j.get("height").asInt()).isEqualTo(1000);
        assertThat(j.get("warnings")).hasSize(2);
        assertThat(j.get("warnings").get(0).asText()).contains("'high score' is an Animagine XL 4.0 tag");
        assertThat(j.get("warnings").get(1).asText()).contains("1000x1000 is not one of the nine trained sizes");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void warningsGoToStderrInTextMode() {
        Run r = run("prompt", "masterpiece, 1girl, very aesthetic");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().findFirst().orElseThrow()).isEqualTo("1girl, very aesthetic, masterpiece, high score, great score, absurdres");
        assertThat(r.err().lines().toList()).allMatch(l -> l.startsWith("animagine: warning: ")).hasSize(2);
    }

    @Test
    void lintExitsOneWithFindingsAndZeroWithout() {
        Run bad = run("prompt", "--lint", "1girl, firefly (honkai: star rail), newest");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.out().lines().toList()).hasSize(2)
                .anyMatch(l -> l.startsWith("unescaped-parentheses: 'firefly (honkai: star rail)'"))
                .anyMatch(l -> l.startsWith("other-version-tag: prompt: 'newest' is an Animagine XL 3.1 and 3.0 tag"));
        Run clean = run("prompt", "--lint", "1girl, smile");
        assertThat(clean.exit()).isZero();
        assertThat(clean.out()).isEmpty();
        // notes (a default negative tag given up for --rating) are not findings
        Run noted = run("prompt", "--lint", "--animagine", "3.1", "--rating", "questionable", "1girl, smile");
        assertThat(noted.exit()).isZero();
        assertThat(noted.out()).isEmpty();
    }

    @Test
    void diffusersCompatWritesPlainParentheses() {
        Run r = run("prompt", "--compat", "diffusers", "--quality", "off", "1girl, firefly (honkai: star rail)");
        assertThat(r.out().lines().findFirst().orElseThrow()).isEqualTo("1girl, firefly (honkai: star rail)");
    }

    @Test
    void diffusersCompatUsesThePromptAsWrittenUnlessAnAnimagineOptionIsGiven() {
        String tags = "1girl, firefly \\(honkai: star rail\\),  smile,smile";
        Run r = run("prompt", "--compat", "diffusers", "--negative", "lowres", tags);
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).startsWith(tags, "Negative prompt: lowres", "Size: 832x1216");
        Run none = run("prompt", "--compat", "diffusers", "--json", tags);
        assertThat(none.out()).containsPattern("\"negative_prompt\"\\s*:\\s*\"\"");
        // an explicit Animagine option brings the conventions back
        Run built = run("prompt", "--compat", "diffusers", "--quality", "on", tags);
        assertThat(built.out().lines().findFirst().orElseThrow()).endsWith("masterpiece, high score, great score, absurdres");
    }

    @Test
    void wildcardsAreReproducibleBySeed(@TempDir Path dir) throws IOException {
        Path list = Files.writeString(dir.resolve("character.txt"),
                "1girl, arima kana, oshi no ko\n1girl, souryuu asuka langley, neon genesis evangelion\n"
                        + "1boy, gojou satoru, jujutsu kaisen\n1girl, frieren, sousou no frieren\n");
        Run a = run("prompt", "--wildcards", list.toString(), "--seed", "42", "--quality", "off", "smile, __character__");
        Run b = run("prompt", "--wildcards", list.toString(), "--seed", "42", "--quality", "off", "smile, __character__");
        assertThat(a.exit()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
        assertThat(a.out().lines().findFirst().orElseThrow()).matches("1(girl|boy), [^,]+, [^,]+, smile");
        Run unseeded = run("prompt", "--wildcards", list.toString(), "smile, __character__");
        assertThat(unseeded.err()).contains("wildcards drawn with seed").contains("pass --seed");
    }

    @ParameterizedTest(name = "{0} -> exit 2")
    @CsvSource(delimiter = '|', value = {
            "--animagine 2.0           | --animagine 2.0: expected 4, 3.1 or 3.0",
            "--size 1000x1001          | --size 1000x1001: width and height must be multiples of 8",
            "--size big                | --size big: expected WIDTHxHEIGHT",
            "--aspect 2x3              | --aspect 2x3: expected W:H",
            "--rating nope             | --rating",
            "--quality maybe           | expected on or off but was 'maybe'",
            "--year 1990               | --year 1990: Animagine XL 4.0 has year tags for 2005 to 2025 only",
            "--year soon               | --year",
            "--compat comfy            | --compat comfy: expected a1111 or diffusers",
            "--wildcards /no/such.txt  | --wildcards /no/such.txt: no such file or folder",
            "--aspect 1:1 --size 64x64 | --aspect 1:1 and --size 64x64: give one of them",
            "__character__             | __character__: no wildcard list of that name",
    })
    void badValuesAreOneLineUsageErrors(String args, String message) {
        List<String> argv = new ArrayList<>(List.of("prompt"));
        argv.addAll(List.of(args.split(" ")));
        Run r = run(argv.toArray(String[]::new));
        assertThat(r.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(r.err()).contains(message).startsWith("animagine: ").doesNotContain("\tat ");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void helpNamesTheDefaults() {
        Run r = run("prompt", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--animagine=VERSION", "default: on", "default: 832x1216", "--wildcards=FILE", "--lint");
    }

    @Test
    void truncationRuleUsesTheGivenTokenCounter() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new PromptCommand(text -> text.split(",").length * 10));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("--lint", "1girl, a, b, c, d, e, f, g");
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).startsWith("truncated: prompt is 120 CLIP tokens");
    }
}
