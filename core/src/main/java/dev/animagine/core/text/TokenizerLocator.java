package dev.animagine.core.text;

import dev.animagine.core.InvalidArgumentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the CLIP vocabulary for a model. A diffusers folder carries {@code tokenizer/} and
 * {@code tokenizer_2/}; a single-file checkpoint carries none, so we look, in order: next to the
 * model file, in {@code --tokenizer DIR}, in {@code $ANIMAGINE_TOKENIZER}, then in the Hugging Face
 * cache ({@code openai/clip-vit-large-patch14} under {@code $HF_HUB_CACHE}, {@code $HF_HOME/hub} or
 * {@code ~/.cache/huggingface/hub}). A directory qualifies when it holds {@code vocab.json} +
 * {@code merges.txt}, {@code bpe_simple_vocab_16e6.txt.gz}, or a diffusers {@code tokenizer/}
 * (with optional {@code tokenizer_2/}). Without a {@code tokenizer_2/}, the second tokenizer is the
 * same vocabulary padded with "!" (id 0), as SDXL ships it. When none of these has one, the copy of
 * OpenAI's vocabulary shipped in the engine's jar is used, so a civitai single file works on its own.
 */
public final class TokenizerLocator {
    public static final String OPENAI_BPE = "bpe_simple_vocab_16e6.txt.gz";
    public static final String ENV_DIR = "ANIMAGINE_TOKENIZER";
    static final String HF_REPO_DIR = "models--openai--clip-vit-large-patch14";

    private final Map<String, String> env;
    private final Path home;

    TokenizerLocator(Map<String, String> env, Path home) {
        this.env = env;
        this.home = home;
    }

    /** With this process's environment and home directory. */
    public static SdxlTokenizers find(Path modelOrNull, Path tokenizerDirOrNull) {
        return new TokenizerLocator(System.getenv(), Path.of(System.getProperty("user.home", "."))).locate(modelOrNull, tokenizerDirOrNull);
    }

    /** Whether {@link #load} would find a vocabulary in {@code dir} (itself, or its tokenizer/ subfolder). */
    public static boolean hasTokenizer(Path dir) {
        return dir != null && Files.isDirectory(dir) && qualifies(dir);
    }

    /** Loads the tokenizers of a folder as {@link #find} would if it were the only candidate. */
    public static SdxlTokenizers load(Path dir) {
        if (!qualifies(dir)) throw new InvalidArgumentException(dir + ": no CLIP tokenizer here " + WHAT_TO_PUT);
        Path t1 = dir.resolve("tokenizer"), t2 = dir.resolve("tokenizer_2");
        if (!hasVocabulary(dir) && hasVocabulary(t1)) {
            ClipTokenizer first = ClipTokenizer.load(t1, ClipVocabulary.END_OF_TEXT);
            ClipTokenizer second = hasVocabulary(t2) ? ClipTokenizer.load(t2, SdxlTokenizers.SECOND_PAD)
                    : first.withPad(padId(first, SdxlTokenizers.SECOND_PAD, t1));
            return new SdxlTokenizers(first, second, dir.toString());
        }
        // a bare vocabulary: SDXL's paddings, whatever a special_tokens_map.json beside it says
        ClipTokenizer first = new ClipTokenizer(ClipTokenizer.loadVocabulary(dir));
        return new SdxlTokenizers(first, first.withPad(padId(first, SdxlTokenizers.SECOND_PAD, dir)), dir.toString());
    }

    private static final String WHAT_TO_PUT = "(put vocab.json + merges.txt from openai/clip-vit-large-patch14 or a diffusers "
            + "tokenizer/ folder, or OpenAI's " + OPENAI_BPE + ", next to the model or in a folder given with --tokenizer DIR or $" + ENV_DIR + ")";

    SdxlTokenizers locate(Path model, Path tokenizerDir) {
        Path dir = locateDirectory(model, tokenizerDir);
        return dir != null ? load(dir) : bundled();
    }

    /** OpenAI's vocabulary shipped in the jar, with SDXL's paddings. */
    public static SdxlTokenizers bundled() {
        ClipTokenizer first = new ClipTokenizer(ClipVocabulary.bundled());
        return new SdxlTokenizers(first, first.withPad(first.vocabulary().id(SdxlTokenizers.SECOND_PAD)), first.vocabulary().source());
    }

    /** The folder {@link #find} would load, without loading it; null when only the built-in vocabulary is left. */
    Path locateDirectory(Path model, Path tokenizerDir) {
        if (model != null) {
            if (!Files.exists(model)) throw new InvalidArgumentException("model not found: " + model);
            Path beside = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
            if (beside != null && qualifies(beside)) return beside;
        }
        if (tokenizerDir != null) {
            if (!Files.isDirectory(tokenizerDir)) throw new InvalidArgumentException("--tokenizer: not a directory: " + tokenizerDir);
            if (qualifies(tokenizerDir)) return tokenizerDir;
            throw new InvalidArgumentException("--tokenizer " + tokenizerDir + ": no CLIP tokenizer there " + WHAT_TO_PUT);
        }
        String fromEnv = env.get(ENV_DIR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path d = Path.of(fromEnv);
            if (qualifies(d)) return d;
        }
        for (Path hub : hubCaches()) {
            Path snapshot = hfSnapshot(hub.resolve(HF_REPO_DIR));
            if (snapshot != null) return snapshot;
        }
        return null;
    }

    private List<Path> hubCaches() {
        List<Path> out = new ArrayList<>();
        String hubCache = env.get("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) out.add(Path.of(hubCache));
        String hfHome = env.get("HF_HOME");
        if (hfHome != null && !hfHome.isBlank()) out.add(Path.of(hfHome, "hub"));
        out.add(home.resolve(".cache/huggingface/hub"));
        return out.stream().distinct().toList();
    }

    /** The snapshot refs/main points at if it has a vocabulary, else any snapshot that has one. */
    static Path hfSnapshot(Path repoDir) {
        Path snapshots = repoDir.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) return null;
        try {
            Path main = repoDir.resolve("refs/main");
            if (Files.isRegularFile(main)) {
                Path s = snapshots.resolve(Files.readString(main).strip());
                if (hasVocabulary(s)) return s;
            }
            try (Stream<Path> all = Files.list(snapshots)) {
                return all.filter(TokenizerLocator::hasVocabulary).sorted().findFirst().orElse(null);
            }
        } catch (IOException e) {
            return null;
        }
    }

    static boolean qualifies(Path dir) {
        return Files.isDirectory(dir) && (hasVocabulary(dir) || hasVocabulary(dir.resolve("tokenizer")));
    }

    static boolean hasVocabulary(Path dir) {
        return (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt")))
                || Files.isRegularFile(dir.resolve(OPENAI_BPE));
    }

    private static int padId(ClipTokenizer t, String token, Path where) {
        int id = t.vocabulary().id(token);
        if (id < 0) throw new InvalidArgumentException(where + ": pad token '" + token + "' is not in the vocabulary");
        return id;
    }
}
