package dev.animagine.bench;

import dev.animagine.core.tensor.Parallel;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the kernel benchmarks with JMH, then prints each one's GFLOP/s and its share of the fp32
 * FMA peak measured here first ({@link PeakFlops}, all worker threads). JMH command-line options
 * are accepted (e.g. a benchmark regex, {@code -f}, {@code -wi}, {@code -i}).
 */
public final class KernelBenchmarks {
    private KernelBenchmarks() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        double peak = PeakFlops.measure();
        System.out.printf(Locale.ROOT, "fp32 FMA peak: %.1f GFLOP/s on %d threads%n", peak, Parallel.threads());
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) builder.include(KernelBenchmarks.class.getPackageName() + ".*Benchmark");
        builder.mode(Mode.AverageTime).timeUnit(TimeUnit.MILLISECONDS)
                .forks(cli.getForkCount().orElse(1))
                .warmupIterations(cli.getWarmupIterations().orElse(3))
                .warmupTime(cli.getWarmupTime().orElse(TimeValue.seconds(2)))
                .measurementIterations(cli.getMeasurementIterations().orElse(3))
                .measurementTime(cli.getMeasurementTime().orElse(TimeValue.seconds(3)))
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "-XX:+UseParallelGC", "-XX:+UseCountedLoopSafepoints", "-XX:LoopStripMiningIter=1000", "-Xmx4g",
                        "-Danimagine.threads=" + Parallel.threads());
        Collection<RunResult> results = new Runner(builder.build()).run();

        System.out.printf(Locale.ROOT, "%n%-42s %12s %10s %8s%n", "benchmark", "ms/op", "GFLOP/s", "% peak");
        for (RunResult r : results) {
            var params = r.getParams();
            String name = params.getBenchmark().replaceAll(".*\\.(\\w+Benchmark)\\.(\\w+)$", "$1.$2");
            Map<String, String> p = new java.util.TreeMap<>();
            for (String key : params.getParamsKeys()) p.put(key, params.getParam(key));
            double flops = flops(name, p);
            double ms = r.getPrimaryResult().getScore();
            double gflops = flops / (ms / 1e3) / 1e9;
            System.out.printf(Locale.ROOT, "%-42s %12.2f %10.1f %7.1f%%%n", name + " " + p.values(), ms, gflops, 100 * gflops / peak);
        }
        System.out.printf(Locale.ROOT, "(peak %.1f GFLOP/s measured in this JVM before the forks)%n", peak);
    }

    /** FLOPs of one operation: 2 per multiply-add, from the benchmark's shape. */
    static double flops(String name, Map<String, String> p) {
        if (name.startsWith("GemmBenchmark") || name.startsWith("LoraLinearBenchmark")) return GemmBenchmark.flops(p.get("shape"));
        if (name.startsWith("Conv3x3Benchmark")) return Conv3x3Benchmark.flops(p.get("shape"));
        if (name.startsWith("AttentionBenchmark")) return AttentionBenchmark.flops(Integer.parseInt(p.get("tokens")));
        if (name.startsWith("TaesdPreviewBenchmark.taesd")) return TaesdPreviewBenchmark.flops(p.get("size"));
        return Double.NaN;
    }
}
