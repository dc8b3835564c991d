package dev.animagine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.bench.AnimaginePreset;
import dev.animagine.bench.AnimaginePreset.PresetReport;
import dev.animagine.bench.AnimaginePreset.Run;
import dev.animagine.bench.ImageProjection;

import java.io.PrintWriter;
import java.util.Locale;

/** {@code bench --preset animagine}'s text and JSON output. */
final class BenchPresetOutput {
    private BenchPresetOutput() {}

    static ObjectNode toJson(PresetReport p) {
        var o = p.options();
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("preset", AnimaginePreset.NAME);
        root.put("model", p.pieces().model().toString());
        root.put("width", o.width());
        root.put("height", o.height());
        root.put("steps", o.steps());
        root.put("sampler", AnimaginePreset.SAMPLER.a1111Name());
        root.put("cfg_scale", AnimaginePreset.CFG_SCALE);
        root.put("unet_evals", 2 * o.steps());
        root.put("threads", p.pieces().threads());
        root.put("peak_gflops", p.pieces().peakGflops());
        ImageProjection pr = p.projection();
        ObjectNode measured = root.putObject("measured");
        measured.put("text_encode_seconds", pr.textSeconds());
        measured.put("step_seconds", pr.stepSeconds());
        measured.put("unet_eval_seconds", p.pieces().unetSecondsPerEvalMean());
        measured.put("unet_gflop_per_eval", p.pieces().unetFlopsPerEval() / 1e9);
        measured.put("vae_decode_seconds", pr.decodeSeconds());
        measured.put("vae_decode_gflop", p.pieces().vaeDecodeFlops() / 1e9);
        measured.put("rss_peak_bytes", p.pieces().rssPeakBytes());
        ObjectNode fidelity = root.putObject("fidelity");
        fidelity.put("width", o.fidelityWidth());
        fidelity.put("height", o.fidelityHeight());
        fidelity.put("steps", o.fidelitySteps());
        fidelity.put("seed", o.seed());
        fidelity.put("full_denoise_seconds", p.full().denoiseSeconds());
        fidelity.put("full_denoise_cpu_seconds", p.full().denoiseCpuSeconds());
        fidelity.put("full_denoise_gflop", p.full().denoiseFlops() / 1e9);
        ArrayNode images = root.putArray("projections");
        ObjectNode plain = images.addObject();
        plain.put("saving", "none");
        plain.put("label", "full computation");
        plain.put("projected_seconds", pr.imageSeconds());
        plain.put("speedup", 1.0);
        plain.put("max_abs_diff", 0.0);
        for (Run r : p.runs()) {
            ObjectNode s = images.addObject();
            s.put("saving", r.key());
            s.put("label", r.label());
            s.put("projected_seconds", p.projectedSeconds(r));
            s.put("speedup", p.projectedSpeedup(r));
            s.put("max_abs_diff", r.maxAbsDiff());
            s.put("denoise_seconds", r.denoiseSeconds());
            s.put("denoise_cpu_seconds", r.denoiseCpuSeconds());
            s.put("denoise_gflop", r.denoiseFlops() / 1e9);
            s.put("denoise_speedup", r.speedupOver(p.full()));
            s.put("denoise_cpu_speedup", r.cpuSpeedupOver(p.full()));
            s.put("flop_reduction", r.flopReductionOver(p.full()));
        }
        ArrayNode unwired = root.putArray("not_wired");
        p.unwired().forEach(s -> unwired.add(s.key()));
        p.deepCache().ifPresent(d -> {
            ObjectNode t = root.putObject("deepcache_target");
            t.put("flop_reduction", d.flopReductionOver(p.full()));
            t.put("flop_target", AnimaginePreset.DEEPCACHE_FLOP_TARGET);
            t.put("denoise_speedup", d.speedupOver(p.full()));
            t.put("denoise_cpu_speedup", d.cpuSpeedupOver(p.full()));
            t.put("time_target", AnimaginePreset.DEEPCACHE_TIME_TARGET);
            t.put("met", d.flopReductionOver(p.full()) >= AnimaginePreset.DEEPCACHE_FLOP_TARGET
                    && d.speedupOver(p.full()) >= AnimaginePreset.DEEPCACHE_TIME_TARGET);
        });
        return root;
    }

    static void printText(PrintWriter out, PresetReport p) {
        var o = p.options();
        ImageProjection pr = p.projection();
        out.printf(Locale.ROOT, "preset         %s: %dx%d, %d steps, %s, CFG %s (%d UNet evaluations), %s, %d threads%n",
                AnimaginePreset.NAME, o.width(), o.height(), o.steps(), AnimaginePreset.SAMPLER.a1111Name(), fmt(AnimaginePreset.CFG_SCALE),
                2 * o.steps(), p.pieces().model(), p.pieces().threads());
        out.printf(Locale.ROOT, "measured       text encode %.2f s; one CFG step %.2f s (2 UNet evaluations, %.1f GFLOP each); VAE decode %.2f s (%.1f GFLOP)%n",
                pr.textSeconds(), pr.stepSeconds(), p.pieces().unetFlopsPerEval() / 1e9, pr.decodeSeconds(), p.pieces().vaeDecodeFlops() / 1e9);
        out.printf(Locale.ROOT, "projected      %-26s %8.1f s = %.2f + %d x %.2f + %.2f (%.1f min)%n", "full computation", pr.imageSeconds(),
                pr.textSeconds(), o.steps(), pr.stepSeconds(), pr.decodeSeconds(), pr.imageSeconds() / 60);
        for (Run r : p.runs())
            out.printf(Locale.ROOT, "projected      %-26s %8.1f s (%.2fx faster); max |latent diff| %.4g%n", r.label(), p.projectedSeconds(r),
                    p.projectedSpeedup(r), r.maxAbsDiff());
        out.printf(Locale.ROOT, "fidelity       %d steps at %dx%d, seed %d (same checkpoint): full denoising %.1f s (CPU %.1f s, %.0f GFLOP)%n",
                o.fidelitySteps(), o.fidelityWidth(), o.fidelityHeight(), o.seed(), p.full().denoiseSeconds(), p.full().denoiseCpuSeconds(),
                p.full().denoiseFlops() / 1e9);
        for (Run r : p.runs())
            out.printf(Locale.ROOT, "  %-26s denoising %.1f s per image: %.2fx shorter (CPU %.2fx), %.2fx fewer UNet FLOPs; max |latent diff| %.4g%n",
                    r.label(), r.denoiseSeconds(), r.speedupOver(p.full()), r.cpuSpeedupOver(p.full()), r.flopReductionOver(p.full()), r.maxAbsDiff());
        p.deepCache().ifPresent(d -> out.printf(Locale.ROOT,
                "deepcache      %.2fx fewer UNet FLOPs (target >= %s), %.2fx shorter denoising (CPU %.2fx; target >= %s): %s%n",
                d.flopReductionOver(p.full()), fmt(AnimaginePreset.DEEPCACHE_FLOP_TARGET), d.speedupOver(p.full()), d.cpuSpeedupOver(p.full()),
                fmt(AnimaginePreset.DEEPCACHE_TIME_TARGET),
                d.flopReductionOver(p.full()) >= AnimaginePreset.DEEPCACHE_FLOP_TARGET && d.speedupOver(p.full()) >= AnimaginePreset.DEEPCACHE_TIME_TARGET
                        ? "met" : "NOT met"));
        for (var s : p.unwired())
            out.printf(Locale.ROOT, "not wired      %s (%s): not in this build's engine yet%n", s.label(), s.key());
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
