package dev.animagine.core.animagine;

import dev.animagine.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Wildcard lists in the Animagine Space's format, drawn reproducibly by seed. */
class WildcardsTest {
    private static final List<String> CHARACTERS = List.of(
            "1girl, souryuu asuka langley, neon genesis evangelion",
            "1girl, arima kana, oshi no ko",
            "1boy, gojou satoru, jujutsu kaisen",
            "1girl, firefly (honkai: star rail), honkai: star rail");

    private static PromptResult build(Wildcards w, String tags, long seed) {
        return new PromptBuilder().build(PromptRequest.builder().version(AnimagineVersion.V4_0).quality(false)
                .wildcards(w).tags(tags).seed(seed).build());
    }

    @Test
    void characterLineGoesToTheCharacterPlaceWhereverThePlaceholderIs() {
        Wildcards w = Wildcards.of(Map.of("character", List.of("1girl, arima kana, oshi no ko")));
        assertThat(build(w, "smile, night, __character__, solo", 1).prompt())
                .isEqualTo("1girl, arima kana, oshi no ko, smile, night, solo");
    }

    @Test
    void theSameSeedDrawsTheSameLineAndSeedsVary() {
        Wildcards w = Wildcards.of(Map.of("character", CHARACTERS));
        Set<String> drawn = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            String p = build(w, "__character__, smile", seed).prompt();
            assertThat(build(w, "__character__, smile", seed).prompt()).isEqualTo(p);
            drawn.add(p);
        }
        assertThat(drawn).hasSize(CHARACTERS.size());
        assertThat(drawn).contains("1girl, firefly \\(honkai: star rail\\), honkai: star rail, smile");
    }

    /** The mixing is SplitMix64's published finaliser: its reference outputs for seeds 0 and 1. */
    @Test
    void seedMixingIsSplitMix64() {
        assertThat(Wildcards.mix(0)).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(Wildcards.mix(0x9E3779B97F4A7C15L)).isEqualTo(0x6E789E6AA1B965F4L);
    }

    @Test
    void onePlaceholderOneDrawInsideTagsToo() {
        Wildcards w = Wildcards.of(Map.of("color", List.of("red", "blue", "green", "white", "black")));
        String p = build(w, "1girl, __color__ hair, __color__ eyes", 7).prompt();
        String color = p.split(", ")[1].replace(" hair", "");
        assertThat(p).isEqualTo("1girl, " + color + " hair, " + color + " eyes");
    }

    @Test
    void nonCharacterListsStayInPlace() {
        Wildcards w = Wildcards.of(Map.of("place", List.of("outdoors, night")));
        assertThat(build(w, "1girl, smile, __place__, solo", 3).prompt()).isEqualTo("1girl, smile, outdoors, night, solo");
    }

    @Test
    void missingSeedIsPickedAndReported() {
        Wildcards w = Wildcards.of(Map.of("character", CHARACTERS));
        PromptResult r = new PromptBuilder().build(PromptRequest.builder().wildcards(w).tags("__character__").build());
        assertThat(r.seed()).isNotNull();
        assertThat(r.warnings()).filteredOn(x -> x.code().equals(PromptWarning.WILDCARD_SEED)).extracting(PromptWarning::message).containsExactly(
                "wildcards drawn with seed " + r.seed() + "; pass --seed " + r.seed() + " to draw the same again");
        assertThat(new PromptBuilder().build(PromptRequest.builder().wildcards(w).tags("__character__").seed(r.seed()).build()).prompt())
                .isEqualTo(r.prompt());
        assertThat(new PromptBuilder().build(PromptRequest.builder().tags("1girl").seed(5L).build()).seed()).isNull();
    }

    @Test
    void unknownPlaceholderIsAnError() {
        assertThatThrownBy(() -> build(Wildcards.none(), "1girl, __hair__", 1))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("__hair__").hasMessageContaining("--wildcards");
        Wildcards w = Wildcards.of(Map.of("character", CHARACTERS));
        assertThatThrownBy(() -> build(w, "1girl, __hair__", 1)).hasMessageContaining("have: character");
    }

    @Test
    void loadsFilesAndFolders(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("character.txt"), "# Animagine characters\n1girl, arima kana, oshi no ko\n\n");
        Path folder = Files.createDirectory(dir.resolve("lists"));
        Files.writeString(folder.resolve("pose.txt"), "standing\n");
        Files.writeString(folder.resolve("readme.md"), "not a list\n");
        Wildcards w = Wildcards.load(List.of(file, folder));
        assertThat(w.names()).containsExactly("character", "pose");
        assertThat(build(w, "__pose__, __character__", 9).prompt()).isEqualTo("1girl, arima kana, oshi no ko, standing");
    }

    @Test
    void badFilesAreNamed(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> Wildcards.load(List.of(dir.resolve("nope.txt"))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("nope.txt").hasMessageContaining("no such file");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n# nothing\n");
        assertThatThrownBy(() -> Wildcards.load(List.of(empty))).hasMessageContaining("empty.txt").hasMessageContaining("no lines");
        Path binary = Files.write(dir.resolve("bin.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
        assertThatThrownBy(() -> Wildcards.load(List.of(binary))).hasMessageContaining("bin.txt").hasMessageContaining("UTF-8");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.writeString(sub.resolve("empty2.md"), "x");
        assertThatThrownBy(() -> Wildcards.load(List.of(sub))).hasMessageContaining("no .txt files");
        Path a = Files.writeString(dir.resolve("x.txt"), "a\n");
        Path other = Files.createDirectory(dir.resolve("other"));
        Path b = Files.writeString(other.resolve("x.txt"), "b\n");
        assertThatThrownBy(() -> Wildcards.load(List.of(a, b))).hasMessageContaining("__x__");
    }

    @Test
    void nestingIsBounded() {
        Wildcards loop = Wildcards.of(Map.of("a", List.of("__b__"), "b", List.of("__a__")));
        assertThatThrownBy(() -> build(loop, "__a__", 1)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("nest");
        Wildcards nested = Wildcards.of(Map.of("outfit", List.of("__color__ dress"), "color", List.of("red")));
        assertThat(build(nested, "1girl, __outfit__", 1).prompt()).isEqualTo("1girl, red dress");
    }

    /** lists() rebuilt with of() draws as the original (a batch ships the lists to its executors so). */
    @Test
    void listsRebuildTheSameDraws() {
        Wildcards w = Wildcards.of(Map.of("character", CHARACTERS, "color", List.of("red", "blue", "green")));
        Wildcards copy = Wildcards.of(w.lists());
        assertThat(copy.names()).isEqualTo(w.names());
        for (long seed = 0; seed < 10; seed++)
            assertThat(build(copy, "__character__, __color__ hair", seed).prompt()).isEqualTo(build(w, "__character__, __color__ hair", seed).prompt());
    }

    @Test
    void requireKnownNamesTheFirstUnknownListAlsoInsideLists() {
        Wildcards w = Wildcards.of(Map.of("outfit", List.of("__color__ dress", "__fabric__ coat"), "color", List.of("red")));
        w.requireKnown("1girl, __color__, smile");
        w.requireKnown("1girl, no placeholder");
        assertThatThrownBy(() -> w.requireKnown("1girl, __hair__")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("__hair__: no wildcard list of that name");
        assertThatThrownBy(() -> w.requireKnown("1girl, __outfit__")).hasMessageStartingWith("__fabric__: no wildcard list");
        assertThatThrownBy(() -> Wildcards.none().requireKnown("__hair__")).hasMessageContaining("--wildcards hair.txt");
    }
}
