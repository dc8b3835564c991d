package dev.animagine.cli;

import dev.animagine.core.tensor.DType;
import dev.animagine.core.text.TextEncoderWarmUp;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code animagine dev warm-up}: runs the kernel warm-up on miniature random models (no checkpoint
 * needed). The launcher runs it once as the training run of the JVM's AOT cache (JEP 483/515), so
 * later processes start with the classes linked and the kernels' profiles recorded.
 */
@Command(name = "warm-up", mixinStandardHelpOptions = true,
        description = "Run the kernels on miniature random models (the launcher's AOT-cache training run).")
final class WarmUpCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        TextEncoderWarmUp.run(DType.F16);
        TextEncoderWarmUp.run(DType.BF16);
        return Main.EXIT_OK;
    }
}
