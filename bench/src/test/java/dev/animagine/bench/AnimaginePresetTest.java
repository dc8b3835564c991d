package dev.animagine.bench;

import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.testing.ModelFiles;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TokenizerLocator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class AnimaginePresetTest {
    @Test
    void defaultsAreAnimaginesImageAndAReducedFidelitySizeOfAboutItsAspectRatio() {
        var o = AnimaginePreset.Options.defaults("p", "n", 3);
        assertThat(o.width()).isEqualTo(832);
        assertThat(o.height()).isEqualTo(1216);
        assertThat(o.steps()).isEqualTo(28);
        assertThat(o.fidelitySteps()).isEqualTo(28);
        // about the preset's aspect ratio (2:3 vs 13:19), at an eleventh of its pixels
        assertThat((double) o.fidelityWidth() / o.fidelityHeight()).isCloseTo(832.0 / 1216, offset(0.02));
        assertThat(o.fidelityWidth() * o.fidelityHeight()).isLessThan(832 * 1216 / 8);
        assertThat(o.pieceRequest().steps()).isEqualTo(1);
        assertThat(o.pieceRequest().cfgScale()).isEqualTo(5.0);
        assertThat(o.fidelityRequest().seed()).isEqualTo(3);
        assertThat(o.savings()).extracting(AnimaginePreset.Saving::key).containsExactly("deepcache", "cfg-cutoff", "batch4");
    }

    @Test
    void savingsAreSelectedByKeyInPresetOrderAndUnknownKeysAreUserErrors() {
        assertThat(AnimaginePreset.select(List.of())).hasSize(AnimaginePreset.savings().size());
        assertThat(AnimaginePreset.select(List.of("batch4", "deepcache"))).extracting(AnimaginePreset.Saving::key)
                .containsExactly("deepcache", "batch4");
        assertThatThrownBy(() -> AnimaginePreset.select(List.of("deepcache", "tome")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'tome'").hasMessageContaining("deepcache, cfg-cutoff, batch4");
    }

    @Test
    void runRatiosArePerImageAndRelativeToTheFullComputation() {
        var full = new AnimaginePreset.Run("full", "full", 100, 180, 1000, 0);
        var half = new AnimaginePreset.Run("x", "x", 40, 60, 400, 0.5);
        assertThat(half.speedupOver(full)).isCloseTo(2.5, offset(1e-12));
        assertThat(half.cpuSpeedupOver(full)).isCloseTo(3, offset(1e-12));
        assertThat(half.flopReductionOver(full)).isCloseTo(2.5, offset(1e-12));
        assertThat(AnimaginePreset.maxAbsDiff(new float[] {1, -2, 3}, new float[] {1, 2, 2.5f})).isEqualTo(4.0);
        assertThatThrownBy(() -> AnimaginePreset.maxAbsDiff(new float[1], new float[2])).hasMessageContaining("size");
    }

    @Test
    void theMiniatureModelsRunIsProjectedFromItsOwnPieces() {
        var model = ModelFiles.diffusersFolder();
        SdxlTokenizers tokenizers = TokenizerLocator.find(model, null);
        var d = AnimaginePreset.Options.defaults("1girl, solo", "lowres", 1);
        var o = new AnimaginePreset.Options(64, 96, 5, 32, 48, 3, 1, d.prompt(), d.negativePrompt(), AnimaginePreset.savings());
        List<String> lines = new ArrayList<>();
        var r = AnimaginePreset.run(model, CheckpointOptions.DEFAULT, tokenizers, o, lines::add);
        assertThat(r.pieces().width()).isEqualTo(64);
        assertThat(r.pieces().steps()).isEqualTo(1);
        assertThat(r.pieces().unetEvals()).isEqualTo(2); // one CFG step
        var p = r.projection();
        assertThat(p.steps()).isEqualTo(5);
        assertThat(p.stepSeconds()).isCloseTo(2 * r.pieces().unetSecondsPerEvalMean(), offset(1e-12));
        assertThat(p.imageSeconds()).isCloseTo(r.pieces().textEncodeSeconds() + 5 * p.stepSeconds() + r.pieces().vaeDecodeSeconds(), offset(1e-9));
        assertThat(r.full().denoiseSeconds()).isPositive();
        assertThat(r.full().denoiseFlops()).isPositive();
        assertThat(r.full().maxAbsDiff()).isZero();
        assertThat(lines).anyMatch(l -> l.contains("3 steps at 32x48"));
        // every saving is either measured or listed as not wired, never dropped
        assertThat(r.runs().size() + r.unwired().size()).isEqualTo(AnimaginePreset.savings().size());
        for (var run : r.runs()) {
            assertThat(run.denoiseSeconds()).as(run.key()).isPositive();
            assertThat(run.maxAbsDiff()).as(run.key()).isFinite();
            assertThat(r.projectedSeconds(run)).as(run.key()).isPositive();
        }
        // a batch's first image has the full run's seed: the same latents up to the batched kernels' rounding
        assertThat(r.runs()).filteredOn(run -> run.key().equals("batch4")).singleElement()
                .satisfies(b -> assertThat(b.maxAbsDiff()).isLessThan(1e-3));
    }
}
