package dev.animagine.bench;

import dev.animagine.bench.ProcessMemory;
import dev.animagine.core.io.Checkpoint;
import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.io.Component;
import dev.animagine.core.lora.LoraStack;
import dev.animagine.core.tensor.Buffers;
import dev.animagine.core.tensor.Tensor;
import dev.animagine.core.unet.UNet2DConditionModel;
import dev.animagine.core.unet.UNetConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A whole UNet evaluation with and without an adapter, on one model in one process: the plain
 * UNet and the adapted one (built from {@link LoraStack#apply}, sharing every mapped base weight)
 * are evaluated alternately and the smallest CPU time of each is compared (see {@link LoraOverhead}
 * for why CPU time); resident memory is read once the base model has run (all its pages in) and
 * again after the adapted one, the growth being what the adapter costs.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.animagine.bench.LoraUNetOverhead MODEL LORA [latent] [batch] [rounds]</pre>
 */
public final class LoraUNetOverhead {
    private LoraUNetOverhead() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]), lora = Path.of(args[1]);
        int latent = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        try (Checkpoint ckpt = Checkpoint.open(model, CheckpointOptions.DEFAULT);
             LoraStack stack = LoraStack.open(ckpt.architecture(), List.of(new LoraStack.Request(lora, 1f, 1f)))) {
            UNetConfig cfg = ckpt.architecture().unet();
            UNet2DConditionModel base = new UNet2DConditionModel(cfg, ckpt.unet());
            long c0 = System.nanoTime();
            UNet2DConditionModel adapted = new UNet2DConditionModel(cfg, stack.apply(ckpt.unet(), Component.UNET));
            double build = (System.nanoTime() - c0) / 1e9;
            int tokens = 77;
            float[] ctx = RandomTensors.activations(1, batch * tokens * cfg.crossAttentionDim());
            var cond = new UNet2DConditionModel.Conditioning(ctx, tokens, RandomTensors.activations(2, batch * cfg.pooledTextDim()),
                    new float[6 * batch]);
            float[] sample = RandomTensors.activations(3, batch * cfg.inChannels() * latent * latent);
            float[] t = new float[batch];
            java.util.Arrays.fill(t, 500f);
            UNet2DConditionModel[] models = {base, adapted};
            double[] cpu = {Double.MAX_VALUE, Double.MAX_VALUE}, wall = {Double.MAX_VALUE, Double.MAX_VALUE};
            long rssBase = 0, rssAdapted = 0;
            System.out.printf(Locale.ROOT, "adapted UNet built in %.3f s; %d x %d latent, batch %d%n", build, latent, latent, batch);
            for (int r = -1; r < rounds; r++)
                for (int i = 0; i < 2; i++) {
                    long w0 = System.nanoTime(), c1 = CpuTime.javaThreadsNanos();
                    Buffers.give(models[i].forward(new Tensor(sample.clone(), batch, cfg.inChannels(), latent, latent), t, cond));
                    double cs = (CpuTime.javaThreadsNanos() - c1) / 1e9, ws = (System.nanoTime() - w0) / 1e9;
                    if (r >= 0) {
                        cpu[i] = Math.min(cpu[i], cs);
                        wall[i] = Math.min(wall[i], ws);
                    }
                    if (i == 0 && r == -1) rssBase = ProcessMemory.rssBytes();
                    if (i == 1) rssAdapted = Math.max(rssAdapted, ProcessMemory.rssBytes());
                    System.out.printf(Locale.ROOT, "round %d %s: cpu %.2f s, wall %.2f s, rss %.2f GB%n", r, i == 0 ? "base" : "lora", cs, ws,
                            ProcessMemory.rssBytes() / 1e9);
                }
            long loraBytes = Files.size(lora);
            System.out.printf(Locale.ROOT, "UNet eval: base cpu %.2f s, with LoRA %.2f s (%+.1f%%); wall %.2f / %.2f s%n", cpu[0], cpu[1],
                    100 * (cpu[1] / cpu[0] - 1), wall[0], wall[1]);
            System.out.printf(Locale.ROOT, "RSS after base eval %.3f GB, after adapted evals %.3f GB: %+.1f MB (LoRA file %.1f MB); peak %.3f GB%n",
                    rssBase / 1e9, rssAdapted / 1e9, (rssAdapted - rssBase) / 1e6, loraBytes / 1e6, ProcessMemory.peakRssBytes() / 1e9);
        }
    }
}
