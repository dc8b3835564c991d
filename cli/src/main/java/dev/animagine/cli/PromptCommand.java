package dev.animagine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.animagine.PromptBuilder;
import dev.animagine.core.animagine.PromptResult;
import dev.animagine.core.animagine.PromptWarning;
import dev.animagine.core.animagine.Recommended;
import dev.animagine.core.animagine.TokenCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code animagine prompt}: the final prompt, negative prompt and size, exactly as {@code generate} uses them. */
@Command(name = "prompt",
        mixinStandardHelpOptions = true,
        description = {
                "Builds the prompt and negative prompt the way an Animagine XL version was trained (tag order "
                        + "1girl/1boy, character, series, rating, everything else; the version's quality tags, rating "
                        + "and year tags and default negative; Danbooru tags normalised) and prints them exactly as "
                        + "`generate` uses them, with the image size and lint warnings (on stderr).",
                "Exit status: 0, or with --lint 1 when there are findings; 2 for a bad option value."},
        sortOptions = false,
        versionProvider = Main.Version.class)
public final class PromptCommand implements Callable<Integer> {
    @Mixin
    AnimagineOptions animagine;

    @Option(names = "--compat", paramLabel = "a1111|diffusers",
            description = "Text encoding the prompt is for: a1111 (default: emphasis syntax, long prompts chunked) or "
                    + "diffusers (no emphasis syntax, so no escapes; truncated at 77 tokens).")
    String compat = "a1111";

    @Option(names = "--json", description = "Print {\"prompt\", \"negative_prompt\", \"width\", \"height\", \"warnings\"} as JSON.")
    boolean json;

    @Option(names = "--lint", description = "Print only the lint findings (not notes such as a picked wildcard seed), "
            + "one per line as CODE: MESSAGE; exit 1 when there are any.")
    boolean lint;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "CLIP vocabulary for the 77-token check (default: beside --model, $ANIMAGINE_TOKENIZER or the "
                    + "Hugging Face cache; the check is skipped when none is found).")
    java.nio.file.Path tokenizer;

    @Parameters(paramLabel = "TAGS", arity = "0..*",
            description = "The tags, comma-separated; several arguments are joined with commas.")
    List<String> tags = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** Counts CLIP tokens for the 77-token truncation rule; null looks for the CLIP vocabulary. */
    private final TokenCounter tokenCounter;

    public PromptCommand() {
        this(null);
    }

    PromptCommand(TokenCounter tokenCounter) {
        this.tokenCounter = tokenCounter;
    }

    @Override
    public Integer call() throws Exception {
        boolean diffusers = switch (compat.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "a1111" -> false;
            case "diffusers" -> true;
            default -> throw new InvalidArgumentException("--compat " + compat + ": expected a1111 or diffusers");
        };
        TokenCounter counter = tokenCounter != null ? tokenCounter : TokenCounters.find(animagine.model(), tokenizer);
        PromptResult r = new PromptBuilder(counter).build(animagine.toRequest(String.join(", ", tags), diffusers));
        PrintWriter out = spec.commandLine().getOut();
        List<PromptWarning> findings = r.warnings().stream().filter(w -> !w.isNote()).toList();
        if (json) {
            out.println(json(r));
        } else if (lint) {
            for (PromptWarning w : findings) out.println(w.code() + ": " + w.message());
        } else {
            out.println(r.prompt());
            out.println("Negative prompt: " + r.negativePrompt());
            out.println("Size: " + r.width() + "x" + r.height());
            Recommended rec = r.recommended();
            out.println("Recommended for " + r.version().modelName() + ": " + rec.advice());
            PrintWriter err = spec.commandLine().getErr();
            for (PromptWarning w : r.warnings()) err.println("animagine: warning: " + w.message());
        }
        out.flush();
        return lint && !findings.isEmpty() ? 1 : 0;
    }

    private static String json(PromptResult r) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode o = mapper.createObjectNode();
        o.put("prompt", r.prompt());
        o.put("negative_prompt", r.negativePrompt());
        o.put("width", r.width());
        o.put("height", r.height());
        ArrayNode warnings = o.putArray("warnings");
        r.warnings().forEach(w -> warnings.add(w.message()));
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    }
}
