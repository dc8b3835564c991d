package dev.animagine.cli;

import dev.animagine.core.infotext.ParametersJson;
import dev.animagine.core.infotext.PngParameters;
import dev.animagine.core.pipeline.PngFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code animagine png-info FILE}: prints the generation parameters stored in a PNG (A1111's PNG Info). */
@Command(name = "png-info", mixinStandardHelpOptions = true,
        description = "Print the generation parameters (A1111 infotext) stored in a PNG file.")
public final class PngInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "PNG file written by animagine, A1111, Forge, ...")
    Path file;

    @Option(names = "--all", description = "Print every text chunk (keyword: text), not only 'parameters'.")
    boolean all;

    @Option(names = "--json", description = "Print the parsed parameters as JSON (A1111/Forge/civitai infotext, "
            + "the Animagine space's metadata, or a plain ComfyUI SDXL graph), with the keys not understood.")
    boolean json;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(ParametersJson.format(PngParameters.read(file)));
            return 0;
        }
        Map<String, String> text = PngFiles.readText(file);
        if (all) {
            text.forEach((k, v) -> out.println(k + ": " + v));
            return 0;
        }
        String params = text.get("parameters");
        if (params == null) {
            spec.commandLine().getErr().println("animagine: " + file + ": no generation parameters ('parameters' text chunk) in this PNG");
            return Main.EXIT_FAILURE;
        }
        out.println(params);
        return 0;
    }
}
