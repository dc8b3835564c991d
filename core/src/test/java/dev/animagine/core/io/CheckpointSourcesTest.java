package dev.animagine.core.io;

import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The ways a model arrives: HF cache folders and repo ids, fp16 variants, shards, an external VAE. */
class CheckpointSourcesTest {
    @TempDir
    Path dir;

    /** {@code models--org--name} with refs/main and one snapshot linking to the fixture folder's files. */
    private Path hubRepo(Path cache, String id) throws IOException {
        Path repo = cache.resolve("models--" + id.replace("/", "--"));
        String rev = "0123456789abcdef0123456789abcdef01234567";
        Path snap = repo.resolve("snapshots").resolve(rev);
        Files.createDirectories(snap);
        try (Stream<Path> s = Files.list(ModelFiles.diffusersFolder())) {
            for (Path p : s.toList()) Files.createSymbolicLink(snap.resolve(p.getFileName()), p);
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), rev);
        return repo;
    }

    private static void assertSameTensors(Checkpoint a, Checkpoint b) {
        for (Component c : Component.values()) {
            Map<String, StoredTensor> x = a.weights(c).asMap(), y = b.weights(c).asMap();
            assertThat(x.keySet()).containsExactlyInAnyOrderElementsOf(y.keySet());
            x.forEach((k, t) -> assertThat(t.data().mismatch(y.get(k).data())).as(k).isEqualTo(-1L));
        }
    }

    @Test
    void repoIdCacheFolderAndSnapshotResolveToTheSameModel() throws IOException {
        Path cache = dir.resolve("hub");
        Path repo = hubRepo(cache, "someorg/mini-sdxl");
        CheckpointOptions opts = CheckpointOptions.DEFAULT.withHubCaches(List.of(dir.resolve("empty"), cache));
        try (Checkpoint ref = Checkpoint.open(ModelFiles.diffusersFolder(), CheckpointOptions.DEFAULT);
             Checkpoint byId = Checkpoint.open("someorg/mini-sdxl", opts);
             Checkpoint byRepo = Checkpoint.open(repo, CheckpointOptions.DEFAULT)) {
            assertThat(byId.layout()).isEqualTo("diffusers");
            assertThat(byId.path().getParent().getFileName().toString()).isEqualTo("snapshots");
            assertSameTensors(ref, byId);
            assertSameTensors(ref, byRepo);
            assertThat(byId.schedulerConfig()).isPresent();
        }
    }

    @Test
    void repoWithIncompleteDiffusersPartsFallsBackToItsSingleFile() throws IOException {
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("unet"));
        Files.copy(ModelFiles.diffusersFolder().resolve("model_index.json"), repo.resolve("model_index.json"));
        Files.createSymbolicLink(repo.resolve("model.safetensors"), ModelFiles.singleFile());
        CheckpointOptions opts = CheckpointOptions.DEFAULT.withConfigDirectory(ModelFiles.diffusersFolder());
        try (Checkpoint c = Checkpoint.open(repo, opts)) {
            assertThat(c.layout()).isEqualTo("single-file");
        }
    }

    @Test
    void fp16VariantFilesAndShardedWeightsLoad() throws IOException {
        Path folder = dir.resolve("variant");
        Path src = ModelFiles.diffusersFolder();
        Files.createDirectories(folder);
        try (Stream<Path> s = Files.list(src)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.equals("unet") || n.equals("text_encoder")) continue;
                Files.createSymbolicLink(folder.resolve(n), p);
            }
        }
        // text_encoder as the fp16 variant only
        Files.createDirectories(folder.resolve("text_encoder"));
        Files.copy(src.resolve("text_encoder/config.json"), folder.resolve("text_encoder/config.json"));
        Files.createSymbolicLink(folder.resolve("text_encoder/model.fp16.safetensors"), src.resolve("text_encoder/model.safetensors"));
        // unet split into two shards with an index
        Path unet = folder.resolve("unet");
        Files.createDirectories(unet);
        Files.copy(src.resolve("unet/config.json"), unet.resolve("config.json"));
        Map<String, String> weightMap = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(src.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            List<String> names = new ArrayList<>(f.tensors().keySet());
            String[] shard = {"diffusion_pytorch_model-00001-of-00002.safetensors", "diffusion_pytorch_model-00002-of-00002.safetensors"};
            for (int s = 0; s < 2; s++) {
                SafetensorsWriter w = new SafetensorsWriter(unet.resolve(shard[s]));
                List<String> part = s == 0 ? names.subList(0, names.size() / 2) : names.subList(names.size() / 2, names.size());
                for (String n : part) {
                    w.add(n, f.tensor(n));
                    weightMap.put(n, shard[s]);
                }
                w.write();
            }
        }
        var idx = SafetensorsFile.JSON.createObjectNode();
        idx.putObject("metadata").put("total_size", 0);
        var wm = idx.putObject("weight_map");
        weightMap.forEach(wm::put);
        Files.writeString(unet.resolve("diffusion_pytorch_model.safetensors.index.json"), idx.toString());
        try (Checkpoint ref = Checkpoint.open(src, CheckpointOptions.DEFAULT);
             Checkpoint c = Checkpoint.open(folder, CheckpointOptions.DEFAULT)) {
            assertSameTensors(ref, c);
            assertThat(c.architecture()).isEqualTo(ref.architecture());
        }
    }

    @Test
    void externalVaeReplacesTheCheckpointVae() {
        Path sgmVae = ModelFiles.vaeOnly(dir);
        CheckpointOptions cfg = CheckpointOptions.DEFAULT.withConfigDirectory(ModelFiles.diffusersFolder());
        try (Checkpoint ref = Checkpoint.open(ModelFiles.diffusersFolder(), CheckpointOptions.DEFAULT);
             Checkpoint withSgmVae = Checkpoint.open(ModelFiles.singleFile(), cfg.withVae(sgmVae));
             Checkpoint withFolderVae = Checkpoint.open(ModelFiles.singleFile(), cfg.withVae(ModelFiles.diffusersFolder().resolve("vae")));
             Checkpoint withFileVae = Checkpoint.open(ModelFiles.diffusersFolder(),
                     CheckpointOptions.DEFAULT.withVae(ModelFiles.diffusersFolder().resolve("vae/diffusion_pytorch_model.safetensors")))) {
            for (Checkpoint c : List.of(withSgmVae, withFolderVae, withFileVae)) {
                assertThat(c.externalVae()).isPresent();
                assertThat(c.architecture().vae()).isEqualTo(ref.architecture().vae());
                Map<String, StoredTensor> x = c.vae().asMap(), y = ref.vae().asMap();
                assertThat(x.keySet()).containsExactlyInAnyOrderElementsOf(y.keySet());
                x.forEach((k, t) -> assertThat(t.data().mismatch(y.get(k).data())).as(k).isEqualTo(-1L));
            }
        }
    }
}
