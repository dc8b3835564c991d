package dev.animagine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.io.SafetensorsFile;
import dev.animagine.core.tensor.StoredTensor;
import dev.animagine.core.vae.tiny.TinyAutoencoderDecoder;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;

/** {@code animagine info FILE} for a TAESD decoder (live previews): layout, latent channels, upscale, parameters. */
final class TaesdInfoReport {
    private TaesdInfoReport() {}

    /** Whether the file's tensor names are a TAESD decoder's (either layout); false for anything unreadable. */
    static boolean isTaesd(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return TinyAutoencoderDecoder.detect(f.tensors().keySet()) != null;
        } catch (AnimagineException e) {
            return false;
        }
    }

    static void print(PrintWriter out, Path file, boolean json) throws Exception {
        ObjectNode r = report(file);
        if (json) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
            return;
        }
        String line = "%-16s %s%n";
        out.printf(line, "file:", r.get("file").asText());
        out.printf(line, "kind:", "TAESD decoder (" + (r.get("layout").asText().equals("diffusers") ? "diffusers AutoencoderTiny" : "madebyollin") + " layout)");
        out.printf(line, "decodes:", r.get("latent_channels").asInt() + "-channel latents to RGB at " + r.get("upscale").asInt() + "x");
        out.printf(Locale.ROOT, line, "params:", String.format(Locale.ROOT, "%,d (%s)", r.get("params").asLong(), r.get("dtype").asText()));
        out.printf(line, "use:", "animagine serve --taesd " + file + " (live previews)");
    }

    static ObjectNode report(Path file) {
        ObjectNode r = new ObjectMapper().createObjectNode();
        try (TinyAutoencoderDecoder d = TinyAutoencoderDecoder.load(file); SafetensorsFile f = SafetensorsFile.open(file)) {
            long params = 0;
            TreeSet<String> dtypes = new TreeSet<>();
            for (var e : f.tensors().entrySet()) {
                if (e.getKey().startsWith("encoder.")) continue;
                StoredTensor t = e.getValue();
                params += t.numel();
                dtypes.add(t.dtype().fileName());
            }
            r.put("file", file.toString());
            r.put("kind", "taesd_decoder");
            r.put("layout", d.layout() == TinyAutoencoderDecoder.Layout.DIFFUSERS ? "diffusers" : "taesd");
            r.put("latent_channels", d.latentChannels());
            r.put("upscale", d.upscale());
            r.put("params", params);
            r.put("dtype", String.join("+", dtypes));
        }
        return r;
    }
}
