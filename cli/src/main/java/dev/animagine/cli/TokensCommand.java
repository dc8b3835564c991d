package dev.animagine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.ClipTokenizer;
import dev.animagine.core.text.EmphasisMode;
import dev.animagine.core.text.PromptMode;
import dev.animagine.core.text.PromptTokenizer;
import dev.animagine.core.text.SdxlTokenizers;
import dev.animagine.core.text.TokenizedPrompt;
import dev.animagine.core.text.TokenizerLocator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code animagine tokens}: how a prompt is split into the 77-token chunks SDXL's text encoders see,
 * with A1111's token counter ("79/150"), or with {@code --json} the ids each encoder is fed and the
 * per-token weights.
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"Show how a prompt is tokenized for SDXL's two text encoders.",
                "Default: A1111 prompt syntax ((a:1.2), [a], BREAK) and 75-token chunks without a length limit."})
final class TokensCommand implements Callable<Integer> {
    enum Compat { diffusers }

    @Parameters(index = "0", paramLabel = "PROMPT", description = "The prompt (quote it).")
    String prompt;

    @Option(names = "--json", description = "Print {\"tokenizer\": [[77 ids]...], \"tokenizer_2\": [[77 ids]...], \"weights\": [[77 floats]...]}.")
    boolean json;

    @Option(names = "--compat", paramLabel = "diffusers",
            description = "diffusers: no prompt syntax, one 77-token window (longer prompts are truncated).")
    Compat compat;

    static final class Source {
        @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with vocab.json + merges.txt, bpe_simple_vocab_16e6.txt.gz, or tokenizer/ + tokenizer_2/.")
        Path tokenizer;

        @Option(names = "--model", paramLabel = "MODEL", description = "A diffusers folder or a single-file checkpoint (its vocabulary is looked for beside it, then in $ANIMAGINE_TOKENIZER and the Hugging Face cache).")
        Path model;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @Option(names = "--emphasis", paramLabel = "MODE", defaultValue = "Original",
            description = "A1111 emphasis mode: Original, No norm, Ignore or None (None: brackets and BREAK are plain text). Default: ${DEFAULT-VALUE}.")
    String emphasis;

    @Option(names = "--comma-padding-backtrack", paramLabel = "N", defaultValue = "20",
            description = "A1111: move the words after a comma this many tokens back from a full chunk into the next one (0 = off, max 74). Default: ${DEFAULT-VALUE}.")
    int commaPaddingBacktrack;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SdxlTokenizers tokenizers = TokenizerLocator.find(source.model, source.tokenizer);
        PromptMode mode = compat == Compat.diffusers ? PromptMode.DIFFUSERS : PromptMode.A1111;
        A1111Settings settings = new A1111Settings(EmphasisMode.fromA1111Name(emphasis), commaPaddingBacktrack);
        TokenizedPrompt tp = new PromptTokenizer(tokenizers, mode, settings).tokenize(prompt);
        PrintWriter out = spec.commandLine().getOut();
        if (json) printJson(out, tp);
        else printText(out, tp, tokenizers.first());
        out.flush();
        return Main.EXIT_OK;
    }

    private static void printJson(PrintWriter out, TokenizedPrompt tp) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode t1 = root.putArray("tokenizer"), t2 = root.putArray("tokenizer_2"), w = root.putArray("weights");
        for (TokenizedPrompt.Chunk c : tp.chunks()) {
            ArrayNode a = t1.addArray(), b = t2.addArray(), ws = w.addArray();
            for (int id : c.encoder1Ids()) a.add(id);
            for (int id : c.encoder2Ids()) b.add(id);
            for (double x : c.multipliers()) ws.add(x);
        }
        out.println(m.writeValueAsString(root));
    }

    private void printText(PrintWriter out, TokenizedPrompt tp, ClipTokenizer t) {
        int n = tp.chunks().size();
        if (tp.mode() == PromptMode.A1111) {
            out.printf("%d/%d tokens, %d chunk%s (A1111 prompt syntax, emphasis %s)%n",
                    tp.tokenCount(), tp.targetTokenCount(), n, n == 1 ? "" : "s", tp.emphasis().a1111Name());
        } else {
            out.printf("%d/%d tokens, 1 chunk (diffusers: no prompt syntax, one 77-token window)%n", tp.tokenCount(), ClipTokenizer.CHUNK_LENGTH);
            if (tp.droppedTokens() > 0) {
                int[] all = t.encode(prompt);
                String dropped = t.decode(Arrays.copyOfRange(all, all.length - tp.droppedTokens(), all.length)).strip();
                out.printf("warning: %d token%s past the first %d are dropped: \"%s\"%n", tp.droppedTokens(), tp.droppedTokens() == 1 ? "" : "s",
                        ClipTokenizer.CHUNK_LENGTH, dropped);
            }
        }
        for (int i = 0; i < n; i++) {
            TokenizedPrompt.Chunk c = tp.chunks().get(i);
            String text = t.decode(Arrays.copyOfRange(c.encoder1Ids(), 1, 1 + c.length())).strip();
            out.printf("chunk %d: %d/%d: %s%n", i + 1, c.length(), ClipTokenizer.CHUNK_LENGTH, text);
        }
    }
}
