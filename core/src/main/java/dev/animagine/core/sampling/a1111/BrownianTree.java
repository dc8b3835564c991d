package dev.animagine.core.sampling.a1111;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchsde 0.2.6's {@code BrownianTree} ({@code BrownianInterval} with {@code halfway_tree=True},
 * tol 1e-6, pool size 24, no Lévy area) for one image: a Brownian motion W on [t0, t1] whose
 * increments over any query interval come from a dyadic tree of Brownian bridges, every node's
 * normal draw seeded by numpy's {@link SeedSequence} from the entropy and the node's position.
 * Times are rounded to 6 decimals as Python's {@code round(x, 6)}; the arithmetic is float32
 * tensors times double scalars, as torch does it.
 */
final class BrownianTree {
    private static final int POOL_SIZE = 24, CACHE_SIZE = 45, DECIMALS = 6;

    private final RngSource source;
    private final long entropy;
    private final int numel;
    private final Node root;
    private final float[] rootW;
    private final Map<Node, float[]> cache = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Node, float[]> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    private static final class Node {
        final double start, end;
        final Node parent;
        final boolean isLeft;
        boolean split;
        double midway;
        long spawnKey;
        int depth, wSeed;
        Node left, right;

        Node(double start, double end, Node parent, boolean isLeft) {
            this.start = round(start);
            this.end = round(end);
            this.parent = parent;
            this.isLeft = isLeft;
        }
    }

    /**
     * @param t0      the start of the interval, the double of a float32 σ
     * @param t1      the end of the interval (> t0)
     * @param entropy the image seed
     * @param numel   elements of one image's noise (C · H · W)
     * @param source  where each node's {@code _randn(seed)} comes from: A1111's {@code randn_local}
     */
    BrownianTree(double t0, double t1, long entropy, int numel, RngSource source) {
        this.source = source;
        this.entropy = entropy;
        this.numel = numel;
        this.root = new Node(t0, t1, null, false);
        int[] seeds = new SeedSequence(entropy, new long[0], POOL_SIZE).generateState(3);
        float scale = (float) Math.sqrt(t1 - t0);
        float[] w = randn(seeds[0]);
        for (int i = 0; i < w.length; i++) w[i] = w[i] * scale;
        this.rootW = w;
    }

    /** W(tb) − W(ta) for ta <= tb (clamped to the tree's interval, as torchsde does with a warning). */
    float[] increment(double ta, double tb) {
        ta = Math.min(Math.max(ta, root.start), root.end);
        tb = Math.min(Math.max(tb, root.start), root.end);
        if (ta > tb) throw new IllegalArgumentException("query times " + ta + " > " + tb);
        if (ta == tb) return new float[numel];
        List<Node> nodes = new ArrayList<>();
        locate(root, round(ta), round(tb), nodes);
        float[] w = increment(nodes.getFirst()).clone();
        for (int k = 1; k < nodes.size(); k++) {
            float[] wi = increment(nodes.get(k));
            for (int i = 0; i < w.length; i++) w[i] = w[i] + wi[i];
        }
        return w;
    }

    /** Collects the tree nodes that tile [ta, tb], splitting at halfway points where needed ({@code _loc_inner}). */
    private void locate(Node node, double ta, double tb, List<Node> out) {
        if (ta < node.start || tb > node.end) {
            locate(node.parent, ta, tb, out);
            return;
        }
        if (ta == node.start && tb == node.end) {
            out.add(node);
            return;
        }
        if (!node.split) {
            if (ta == node.start) {
                split(node, tb);
                locate(node.left, ta, tb, out);
                return;
            }
            split(node, ta);
            locate(node.right, ta, tb, out);
            return;
        }
        if (tb <= node.midway) {
            locate(node.left, ta, tb, out);
            return;
        }
        if (ta >= node.midway) {
            locate(node.right, ta, tb, out);
            return;
        }
        locate(node.left, ta, node.midway, out);
        locate(node.right, node.midway, tb, out);
    }

    /** Halves the node, then the half holding {@code at}, until {@code at} is a split point. */
    private void split(Node node, double at) {
        double half = 0.5 * (node.end + node.start);
        node.midway = round(half);
        node.split = true;
        node.spawnKey = node.parent == null ? 0 : 2 * node.parent.spawnKey + (node.isLeft ? 0 : 1);
        node.depth = node.parent == null ? 0 : node.parent.depth + 1;
        node.wSeed = new SeedSequence(entropy, new long[] {node.spawnKey, node.depth}, POOL_SIZE).generateState(4)[0];
        node.left = new Node(node.start, half, node, true);
        node.right = new Node(half, node.end, node, false);
        if (at > node.midway) split(node.right, at);
        else if (at < node.midway) split(node.left, at);
    }

    /** The node's increment from its parent's: a Brownian bridge draw at the parent's midpoint. */
    private float[] increment(Node node) {
        if (node == root) return rootW;
        float[] cached = cache.get(node);
        if (cached != null) return cached;
        Node p = node.parent;
        float[] w = increment(p);
        double hRecip = 1 / (p.end - p.start), leftDiff = p.midway - p.start, rightDiff = p.end - p.midway;
        float ld = (float) leftDiff, hr = (float) hRecip;
        float sd = (float) Math.sqrt(leftDiff * rightDiff * hRecip);
        float[] noise = randn(p.wSeed);
        float[] out = new float[numel];
        for (int i = 0; i < numel; i++) {
            float leftW = ld * w[i] * hr + sd * noise[i];
            out[i] = node.isLeft ? leftW : w[i] - leftW;
        }
        cache.put(node, out);
        return out;
    }

    /** A1111's replacement of torchsde's {@code _randn}: the first draw of a fresh generator with that uint32 seed. */
    private float[] randn(int seed) {
        return source.create(seed & 0xFFFFFFFFL).randn(numel);
    }

    /** Python's {@code round(x, 6)}: the correctly rounded decimal, half to even, back to the nearest double. */
    static double round(double x) {
        return new BigDecimal(x).setScale(DECIMALS, RoundingMode.HALF_EVEN).doubleValue();
    }
}
