package dev.animagine.cli;

import dev.animagine.server.AnimagineServer;
import dev.animagine.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code animagine serve}: the HTTP APIs (A1111, OpenAI images, native jobs); a thin adapter over the server module. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
        description = {
                "Serves one checkpoint over HTTP: AUTOMATIC1111's API (/sdapi/v1, for SillyTavern, Open WebUI, LibreChat...), "
                        + "OpenAI's images API (/v1/images/generations, /v1/models) and a native job API (/api/v1/jobs) with "
                        + "live progress events. Jobs run one at a time from a bounded queue.",
                "Binds to 127.0.0.1 unless --listen. Stops gracefully on Ctrl-C."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE", description = "The checkpoint to serve (a .safetensors file or a diffusers folder).")
    Path model;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "A1111's models folder (Stable-diffusion/, Lora/, VAE/) or a flat folder of checkpoints; clients switch between them.")
    Path modelsDir;

    @Option(names = "--lora-dir", paramLabel = "DIR", description = "LoRA folder (default: MODELS-DIR/Lora).")
    Path loraDir;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "CLIP vocabulary when none is beside the model.")
    Path tokenizer;

    @Option(names = "--port", paramLabel = "N", defaultValue = "7860", description = "TCP port (default: ${DEFAULT-VALUE}, as A1111).")
    int port;

    @Option(names = "--listen", description = "Listen on all interfaces (default: 127.0.0.1 only).")
    boolean listen;

    @Option(names = "--api-auth", paramLabel = "USER:PASS[,USER:PASS...]", description = "Require HTTP Basic credentials on every route.")
    String apiAuth;

    @Option(names = "--cors-allow-origins", paramLabel = "ORIGINS", split = ",",
            description = "Origins allowed to call the API from a browser, comma separated (e.g. http://localhost:8000); default: none.")
    List<String> corsOrigins;

    @Option(names = "--queue-size", paramLabel = "N", defaultValue = "32", description = "Jobs that may wait; more are refused with 503 (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--outputs", paramLabel = "DIR", defaultValue = "outputs", description = "Folder for saved images, numbered, never overwritten (default: ${DEFAULT-VALUE}).")
    Path outputs;

    @Option(names = "--preview-every", paramLabel = "N", defaultValue = "3", description = "A live preview every N denoising steps; 0: none (default: ${DEFAULT-VALUE}).")
    int previewEvery;

    @Option(names = "--taesd", paramLabel = "FILE",
            description = "TAESD-XL decoder for full-size live previews (madebyollin's taesdxl_decoder.safetensors or a diffusers "
                    + "AutoencoderTiny folder); default: MODELS-DIR/VAE-taesd/taesdxl_decoder.safetensors (or VAE-approx/, vae_approx/) "
                    + "if present, else the cheap linear approximation.")
    Path taesd;

    @Option(names = "--no-warm-up", description = "Skip the tiny generation at start that compiles the kernels.")
    boolean noWarmUp;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (model != null && modelsDir != null) throw new dev.animagine.core.InvalidArgumentException("give --model or --models-dir, not both");
        ServerOptions options = ServerOptions.builder()
                .model(model)
                .modelsDir(modelsDir)
                .loraDir(loraDir)
                .checkpointOptions(modelOptions.toOptions())
                .tokenizerDir(tokenizer)
                .host(listen ? "0.0.0.0" : "127.0.0.1")
                .port(port)
                .credentials(ServerOptions.parseCredentials(apiAuth))
                .corsOrigins(corsOrigins == null ? List.of() : corsOrigins.stream().map(String::strip).filter(s -> !s.isEmpty()).toList())
                .queueSize(queueSize)
                .outputs(outputs)
                .previewEvery(previewEvery)
                .warmUp(!noWarmUp)
                .taesd(taesd)
                .build();
        AnimagineServer server = new AnimagineServer(options, line -> {
            synchronized (err) {
                err.println(line);
                err.flush();
            }
        });
        server.previews().taesd().ifPresent(d -> err.println("animagine: live previews decoded by TAESD (" + d.origin() + ")"));
        err.println("animagine: loading and warming up " + server.host().selected().title() + " ...");
        err.flush();
        server.start();
        err.println("animagine: serving on http://" + options.host() + ":" + server.port()
                + " (web UI at /, A1111 API /sdapi/v1, OpenAI /v1/images/generations and /v1/images/edits, jobs /api/v1/jobs); Ctrl-C stops");
        err.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.stop();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
