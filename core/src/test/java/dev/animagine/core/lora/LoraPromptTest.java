package dev.animagine.core.lora;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.io.SafetensorsWriter;
import dev.animagine.core.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A1111's {@code <lora:...>} syntax and finding a LoRA by name in a folder. */
class LoraPromptTest {
    @Test
    void weightsFollowA1111Rules() {
        LoraPrompt p = LoraPrompt.parse("1girl, <lora:arima_kana:0.8>, smile <lora:style:0.5:1.2><lyco:loha_style> <lora:x:unet=0.3>, <lora:y:0.4:te=0.1>");
        assertThat(p.prompt()).isEqualTo("1girl, , smile  , ");
        assertThat(p.loras()).containsExactly(
                new LoraPrompt.Reference("arima_kana", 0.8f, 0.8f),
                new LoraPrompt.Reference("style", 0.5f, 1.2f),
                new LoraPrompt.Reference("loha_style", 1f, 1f),
                new LoraPrompt.Reference("x", 1f, 0.3f),
                new LoraPrompt.Reference("y", 0.1f, 0.1f)); // unet defaults to te after te= (A1111)
        assertThat(p.ignored()).isEmpty();
    }

    @Test
    void otherExtraNetworksAreRemovedAndListed() {
        LoraPrompt p = LoraPrompt.parse("a <hypernet:h:1> b");
        assertThat(p.prompt()).isEqualTo("a  b");
        assertThat(p.loras()).isEmpty();
        assertThat(p.ignored()).containsExactly("<hypernet:h:1>");
        assertThat(LoraPrompt.parse("no tags (x:1.2) <notatag>").prompt()).isEqualTo("no tags (x:1.2) <notatag>");
    }

    @Test
    void badWeightNamesTheTag() {
        assertThatThrownBy(() -> LoraPrompt.parse("<lora:a:abc>")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("<lora:a:abc>").hasMessageContaining("'abc'");
    }

    @TempDir
    Path dir;

    private Path lora(String relative, String outputName) throws Exception {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        SafetensorsWriter w = new SafetensorsWriter(p).add("lora_unet_x.alpha", DType.F32, new long[] {}, new float[] {1f});
        if (outputName != null) w.metadata("ss_output_name", outputName);
        w.write();
        return p;
    }

    @Test
    void namesResolveByFileNameThenCaseThenOutputName() throws Exception {
        Path a = lora("Arima_Kana.safetensors", "arima_kana_xl");
        Path b = lora("styles/ink.safetensors", null);
        Path c = lora("styles/Ink2.safetensors", "ink");
        LoraLibrary lib = new LoraLibrary(dir);
        assertThat(lib.resolve("Arima_Kana")).isEqualTo(a);
        assertThat(lib.resolve("arima_kana")).isEqualTo(a);
        assertThat(lib.resolve("arima_kana_xl")).isEqualTo(a);
        assertThat(lib.resolve("ink")).isEqualTo(b);
        assertThat(lib.resolve("styles/ink2.safetensors")).isEqualTo(c);
        assertThatThrownBy(() -> lib.resolve("nothing")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'nothing' not found");
        lora("other/ink.safetensors", null);
        assertThatThrownBy(() -> lib.resolve("ink")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("ambiguous");
    }
}
