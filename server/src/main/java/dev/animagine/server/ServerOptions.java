package dev.animagine.server;

import dev.animagine.core.io.CheckpointOptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code animagine serve} is started with.
 *
 * @param model             a single checkpoint to serve (or null with modelsDir)
 * @param modelsDir         A1111's models folder (Stable-diffusion/, Lora/, VAE/) or a flat folder of checkpoints
 * @param loraDir           LoRA folder (default: modelsDir/Lora)
 * @param checkpointOptions --config / --vae / --variant for every checkpoint opened
 * @param tokenizerDir      CLIP vocabulary when not beside the model, or null
 * @param host              interface to bind (127.0.0.1 unless --listen)
 * @param port              TCP port; 0 picks a free one
 * @param credentials       HTTP Basic user -> password; empty: no authentication
 * @param corsOrigins       origins allowed by CORS; empty: no CORS headers at all
 * @param queueSize         jobs that may wait (the running one not counted)
 * @param outputs           where saved images go (numbered, never overwritten)
 * @param limits            per-request limits
 * @param previewEvery      a live preview every N denoising steps (0: none)
 * @param warmUp            run a tiny generation at start so the first request is as fast as the next
 * @param taesd             TAESD-XL decoder for live previews (file or diffusers folder), or null: modelsDir's if any, else the linear fit
 */
public record ServerOptions(Path model, Path modelsDir, Path loraDir, CheckpointOptions checkpointOptions, Path tokenizerDir,
                            String host, int port, Map<String, String> credentials, List<String> corsOrigins, int queueSize,
                            Path outputs, Limits limits, int previewEvery, boolean warmUp, Path taesd) {
    public ServerOptions {
        if (checkpointOptions == null) checkpointOptions = CheckpointOptions.DEFAULT;
        if (host == null) host = "127.0.0.1";
        credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
        corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
        if (limits == null) limits = Limits.DEFAULT;
        if (outputs == null) outputs = Path.of("outputs");
        if (queueSize < 1) throw new dev.animagine.core.InvalidArgumentException("--queue-size must be at least 1 (got " + queueSize + ")");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: 127.0.0.1:7860, no auth, no CORS, 32 waiting jobs, ./outputs, previews every 3 steps, warm-up on. */
    public static final class Builder {
        private Path model, modelsDir, loraDir, tokenizerDir, taesd, outputs = Path.of("outputs");
        private CheckpointOptions checkpointOptions = CheckpointOptions.DEFAULT;
        private String host = "127.0.0.1";
        private int port = 7860, queueSize = 32, previewEvery = 3;
        private Map<String, String> credentials = Map.of();
        private List<String> corsOrigins = List.of();
        private Limits limits = Limits.DEFAULT;
        private boolean warmUp = true;

        public Builder model(Path v) { model = v; return this; }
        public Builder modelsDir(Path v) { modelsDir = v; return this; }
        public Builder loraDir(Path v) { loraDir = v; return this; }
        public Builder checkpointOptions(CheckpointOptions v) { checkpointOptions = v; return this; }
        public Builder tokenizerDir(Path v) { tokenizerDir = v; return this; }
        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder credentials(Map<String, String> v) { credentials = v; return this; }
        public Builder corsOrigins(List<String> v) { corsOrigins = v; return this; }
        public Builder queueSize(int v) { queueSize = v; return this; }
        public Builder outputs(Path v) { outputs = v; return this; }
        public Builder limits(Limits v) { limits = v; return this; }
        public Builder previewEvery(int v) { previewEvery = v; return this; }
        public Builder warmUp(boolean v) { warmUp = v; return this; }
        public Builder taesd(Path v) { taesd = v; return this; }

        public ServerOptions build() {
            return new ServerOptions(model, modelsDir, loraDir, checkpointOptions, tokenizerDir, host, port, credentials, corsOrigins,
                    queueSize, outputs, limits, previewEvery, warmUp, taesd);
        }
    }

    /** {@code USER:PASS[,USER:PASS...]} as A1111's --api-auth takes it. */
    public static Map<String, String> parseCredentials(String text) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (text == null || text.isBlank()) return out;
        for (String pair : text.split(",")) {
            int colon = pair.indexOf(':');
            if (colon <= 0 || colon == pair.length() - 1)
                throw new dev.animagine.core.InvalidArgumentException("--api-auth: expected USER:PASS[,USER:PASS...] (an entry has no user or password)");
            out.put(pair.substring(0, colon).strip(), pair.substring(colon + 1));
        }
        return out;
    }
}
