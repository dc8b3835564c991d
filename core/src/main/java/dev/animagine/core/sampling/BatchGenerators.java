package dev.animagine.core.sampling;

import dev.animagine.core.InvalidArgumentException;

/**
 * The noise of a batch of images, each image's share drawn from its own generator: diffusers'
 * {@code randn_tensor} with a list of generators (one {@code torch.randn} of one image's shape per
 * generator, concatenated). Every draw of image i comes from generator i alone, so each image of
 * the batch gets exactly the numbers it would get when made by itself with that generator.
 */
public final class BatchGenerators implements NormalNoise {
    private final TorchGenerator[] generators;

    public BatchGenerators(TorchGenerator... generators) {
        if (generators.length == 0) throw new InvalidArgumentException("a batch needs at least one generator");
        this.generators = generators.clone();
    }

    /** One CPU generator per seed. */
    public static BatchGenerators seeded(long... seeds) {
        TorchGenerator[] g = new TorchGenerator[seeds.length];
        for (int i = 0; i < seeds.length; i++) g[i] = new TorchGenerator(seeds[i]);
        return new BatchGenerators(g);
    }

    public int batch() {
        return generators.length;
    }

    @Override
    public void fillNormal(float[] out) {
        if (out.length % generators.length != 0)
            throw new IllegalArgumentException(out.length + " values do not split into " + generators.length + " images");
        int per = out.length / generators.length;
        float[] part = new float[per];
        for (int i = 0; i < generators.length; i++) {
            generators[i].fillNormal(part);
            System.arraycopy(part, 0, out, i * per, per);
        }
    }
}
