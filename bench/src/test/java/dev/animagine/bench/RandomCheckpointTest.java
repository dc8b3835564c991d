package dev.animagine.bench;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.*;
import dev.animagine.core.io.ModelLocator.Layout;
import dev.animagine.core.tensor.DType;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RandomCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void bothLayoutsOfEveryFixtureArchitectureRoundTripToTheSameTensors() {
        for (Path model : Fixtures.models()) {
            try (Checkpoint like = Checkpoint.open(model.resolve("diffusers"), CheckpointOptions.DEFAULT)) {
                SdxlArchitecture arch = like.architecture();
                for (DType dt : new DType[] {DType.F16, DType.BF16}) {
                    Path folder = dir.resolve(model.getFileName() + "-" + dt + "-diffusers");
                    Path single = dir.resolve(model.getFileName() + "-" + dt + ".safetensors");
                    new RandomCheckpoint(arch, dt, 7).copyingExtrasFrom(like).write(Layout.DIFFUSERS, folder);
                    new RandomCheckpoint(arch, dt, 7).write(Layout.SINGLE_FILE, single);
                    try (Checkpoint a = Checkpoint.open(folder, CheckpointOptions.DEFAULT);
                         Checkpoint b = Checkpoint.open(single, CheckpointOptions.DEFAULT.withConfigDirectory(folder))) {
                        assertThat(a.architecture()).isEqualTo(arch);
                        assertThat(b.architecture()).isEqualTo(arch);
                        assertThat(a.tokenizerDirectory(1)).isPresent();
                        assertThat(b.ignoredKeys()).containsExactly("conditioner.embedders.0.transformer.text_model.embeddings.position_ids");
                        for (Component c : Component.values()) {
                            Map<String, StoredTensor> x = a.weights(c).asMap(), y = b.weights(c).asMap();
                            assertThat(x.keySet()).containsExactlyInAnyOrderElementsOf(y.keySet());
                            x.forEach((k, t) -> {
                                assertThat(t.dtype()).isEqualTo(dt);
                                assertThat(t.data().mismatch(y.get(k).data())).as(k).isEqualTo(-1L);
                            });
                        }
                    }
                }
            }
        }
    }

    @Test
    void valuesAreScaledToKeepActivationsFinite() {
        Path folder = dir.resolve("f32");
        try (Checkpoint like = Checkpoint.open(Fixtures.models().getFirst().resolve("diffusers"), CheckpointOptions.DEFAULT)) {
            new RandomCheckpoint(like.architecture(), DType.F32, 1).write(Layout.DIFFUSERS, folder);
        }
        try (Checkpoint c = Checkpoint.open(folder, CheckpointOptions.DEFAULT)) {
            for (Component comp : Component.values())
                c.weights(comp).asMap().forEach((name, t) -> {
                    float[] v = t.toFloats();
                    double sum = 0, sq = 0;
                    for (float f : v) {
                        assertThat(Float.isFinite(f)).as(name).isTrue();
                        sum += f;
                    }
                    double mean = sum / v.length;
                    for (float f : v) sq += (f - mean) * (f - mean);
                    double std = Math.sqrt(sq / v.length);
                    double[] ms = RandomWeights.meanStd(name, t.shape());
                    if (t.rank() == 1 && !name.endsWith(".bias")) assertThat(ms[0]).as(name).isEqualTo(1.0);
                    if (name.endsWith(".bias")) assertThat(ms[1]).as(name).isLessThanOrEqualTo(0.02);
                    if (t.rank() >= 2 && !name.contains("embedding")) {
                        long fanIn = t.numel() / t.dim(0);
                        assertThat(ms[1]).as(name).isCloseTo(1 / Math.sqrt(fanIn), org.assertj.core.data.Offset.offset(1e-12));
                    }
                    if (v.length >= 4096) {
                        // the sampled values follow the intended distribution
                        assertThat(mean).as(name + " mean").isCloseTo(ms[0], org.assertj.core.data.Offset.offset(4 * ms[1] / Math.sqrt(v.length) + 1e-3 * ms[1]));
                        assertThat(std).as(name + " std").isCloseTo(ms[1], org.assertj.core.data.Offset.offset(0.05 * ms[1]));
                    }
                });
        }
    }

    @Test
    void fullSizeSdxlIsDetectedAsSdxlFromASparseFile() {
        Path single = dir.resolve("sdxl-sparse.safetensors");
        RandomCheckpoint rc = new RandomCheckpoint(SdxlArchitecture.SDXL, DType.F16, 0).withoutValues();
        rc.write(Layout.SINGLE_FILE, single);
        try (Checkpoint c = Checkpoint.open(single, CheckpointOptions.DEFAULT)) {
            assertThat(c.architecture()).isEqualTo(SdxlArchitecture.SDXL);
            assertThat(c.architecture().isFullSizeSdxl()).isTrue();
            assertThat(c.unet().parameterCount()).isEqualTo(2_567_463_684L);
            assertThat(c.fileSize()).isGreaterThan(rc.weightBytes()).isGreaterThan(6_900_000_000L);
        }
        Path folder = dir.resolve("sdxl-sparse-diffusers");
        new RandomCheckpoint(SdxlArchitecture.SDXL, DType.BF16, 0).withoutValues().write(Layout.DIFFUSERS, folder);
        try (Checkpoint c = Checkpoint.open(folder, CheckpointOptions.DEFAULT)) {
            assertThat(c.architecture()).isEqualTo(SdxlArchitecture.SDXL);
            assertThat(c.textEncoder2().parameterCount()).isEqualTo(694_659_840L);
        }
    }

    @Test
    void neverOverwrites() throws Exception {
        Path out = dir.resolve("exists");
        Files.createDirectory(out);
        try (Checkpoint like = Checkpoint.open(Fixtures.models().getFirst().resolve("diffusers"), CheckpointOptions.DEFAULT)) {
            RandomCheckpoint rc = new RandomCheckpoint(like.architecture(), DType.F16, 1);
            assertThatThrownBy(() -> rc.write(Layout.DIFFUSERS, out)).isInstanceOf(AnimagineException.class).hasMessageContaining("already exists");
            Path f = Files.writeString(dir.resolve("x.safetensors"), "keep");
            assertThatThrownBy(() -> rc.write(Layout.SINGLE_FILE, f)).isInstanceOf(AnimagineException.class).hasMessageContaining("already exists");
            assertThat(Files.readString(f)).isEqualTo("keep");
        }
    }
}
