package dev.animagine.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI CLIP's tokenizer ({@code SimpleTokenizer.encode}): ftfy {@code fix_text}, HTML unescaped
 * twice, whitespace collapsed, lower-cased, split with CLIP's pattern ({@code <|startoftext|>},
 * {@code <|endoftext|>}, {@code 's 't 're 've 'm 'll 'd}, letter runs, single digits, runs of other
 * symbols), then byte-level BPE per piece. {@link #window} builds the 77-id rows the text encoders
 * take: BOS, the first 75 ids, EOS, then the pad id (EOS for SDXL's first tokenizer, 0 = "!" for the
 * second). Thread-safe.
 */
public final class ClipTokenizer {
    /** The text encoders' sequence length. */
    public static final int MAX_LENGTH = 77;
    /** Prompt tokens that fit between BOS and EOS. */
    public static final int CHUNK_LENGTH = MAX_LENGTH - 2;
    private static final int CACHE_LIMIT = 50_000;

    private final ClipVocabulary vocab;
    private final int bos, eos, pad, comma;
    private final ConcurrentHashMap<String, String[]> cache = new ConcurrentHashMap<>();

    public ClipTokenizer(ClipVocabulary vocab, int padId) {
        this.vocab = vocab;
        this.bos = vocab.id(ClipVocabulary.START_OF_TEXT);
        this.eos = vocab.id(ClipVocabulary.END_OF_TEXT);
        this.comma = vocab.id(",</w>");
        if (padId < 0 || padId >= vocab.size()) throw new AnimagineException(vocab.source() + ": pad id " + padId + " is outside the vocabulary");
        this.pad = padId;
    }

    /** A tokenizer that pads with EOS, as CLIP does. */
    public ClipTokenizer(ClipVocabulary vocab) {
        this(vocab, vocab.id(ClipVocabulary.END_OF_TEXT));
    }

    /**
     * Loads a tokenizer folder: {@code vocab.json} + {@code merges.txt} (a diffusers {@code tokenizer/} or {@code tokenizer_2/})
     * or {@code bpe_simple_vocab_16e6.txt.gz}; the pad token is {@code special_tokens_map.json}'s
     * {@code pad_token} when that file exists, else {@code defaultPad} (a token such as "!" or
     * {@code <|endoftext|>}).
     */
    public static ClipTokenizer load(Path dir, String defaultPad) {
        ClipVocabulary v = loadVocabulary(dir);
        String padToken = padToken(dir.resolve("special_tokens_map.json"));
        if (padToken == null) padToken = defaultPad;
        int padId = v.id(padToken);
        if (padId < 0) throw new AnimagineException(dir + ": pad token '" + padToken + "' is not in the vocabulary");
        return new ClipTokenizer(v, padId);
    }

    /**
     * The vocabulary in {@code dir}: vocab.json + merges.txt if present, else bpe_simple_vocab_16e6.txt.gz.
     * Loaded vocabularies are kept (a few, keyed by file, size and modification time): parsing takes
     * a good part of a second and SDXL's two tokenizers usually share one.
     */
    public static ClipVocabulary loadVocabulary(Path dir) {
        Path json = dir.resolve("vocab.json"), merges = dir.resolve("merges.txt"), gz = dir.resolve(TokenizerLocator.OPENAI_BPE);
        if (Files.isRegularFile(json) && Files.isRegularFile(merges))
            return cached(List.of(json, merges), () -> ClipVocabulary.fromVocabJson(json, merges));
        if (Files.isRegularFile(gz)) return cached(List.of(gz), () -> ClipVocabulary.fromOpenAiBpe(gz));
        throw new AnimagineException(dir + ": no CLIP vocabulary (expected vocab.json + merges.txt, or " + TokenizerLocator.OPENAI_BPE + ")");
    }

    private static final Map<List<String>, ClipVocabulary> LOADED = new ConcurrentHashMap<>();

    private static ClipVocabulary cached(List<Path> files, Supplier<ClipVocabulary> load) {
        List<String> key = new ArrayList<>();
        try {
            for (Path f : files) {
                key.add(f.toRealPath().toString());
                key.add(Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
            }
        } catch (IOException e) {
            return load.get(); // let the loader report the problem
        }
        ClipVocabulary hit = LOADED.get(key);
        if (hit != null) return hit;
        ClipVocabulary v = load.get();
        if (LOADED.size() >= 4) LOADED.clear();
        LOADED.put(List.copyOf(key), v);
        return v;
    }

    /** special_tokens_map.json's pad_token (a string or {"content": ...}), or null when absent. */
    static String padToken(Path specialTokensMap) {
        if (!Files.isRegularFile(specialTokensMap)) return null;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(specialTokensMap.toFile());
        } catch (IOException e) {
            throw new AnimagineException(specialTokensMap + ": not valid JSON");
        }
        JsonNode p = root == null ? null : root.get("pad_token");
        if (p == null || p.isNull()) return null;
        if (p.isTextual()) return p.asText();
        if (p.has("content") && p.get("content").isTextual()) return p.get("content").asText();
        throw new AnimagineException(specialTokensMap + ": pad_token is neither a string nor {\"content\": ...}");
    }

    public ClipVocabulary vocabulary() {
        return vocab;
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int pad() {
        return pad;
    }

    /** The id of {@code ,</w>} (a comma ending a word), which A1111's chunking breaks after; -1 if absent. */
    public int comma() {
        return comma;
    }

    /** The same vocabulary with another pad id. */
    public ClipTokenizer withPad(int padId) {
        return padId == pad ? this : new ClipTokenizer(vocab, padId);
    }

    /** The ids of {@code text}, without BOS/EOS and without truncation. */
    public int[] encode(String text) {
        List<String> tokens = bpeTokens(text);
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = vocab.id(tokens.get(i));
            if (ids[i] < 0) throw new AnimagineException(vocab.source() + ": BPE produced '" + tokens.get(i) + "', which is not in the vocabulary");
        }
        return ids;
    }

    /** The BPE tokens of {@code text} (vocabulary strings, word ends marked {@code </w>}). */
    public List<String> bpeTokens(String text) {
        List<String> out = new ArrayList<>();
        for (String piece : ClipPattern.split(normalize(text))) out.addAll(Arrays.asList(bpe(piece)));
        return out;
    }

    /** CLIP's {@code whitespace_clean(basic_clean(text)).lower()}. */
    public static String normalize(String text) {
        String t = Ftfy.fixText(text);
        t = HtmlUnescape.unescape(HtmlUnescape.unescape(t));
        return PythonChars.lower(PythonChars.collapseWhitespace(PythonChars.strip(t)));
    }

    /**
     * One encoder row: BOS, the first 75 of {@code ids}, EOS, then {@link #pad()} to 77 (what
     * {@code tokenizer(..., padding="max_length", max_length=77, truncation=True)} gives).
     */
    public int[] window(int[] ids) {
        int[] row = new int[MAX_LENGTH];
        Arrays.fill(row, pad);
        int n = Math.min(ids.length, CHUNK_LENGTH);
        row[0] = bos;
        System.arraycopy(ids, 0, row, 1, n);
        row[n + 1] = eos;
        return row;
    }

    /** Text of ids (OpenAI's {@code decode}: bytes back to UTF-8, {@code </w>} as a space). */
    public String decode(int[] ids) {
        StringBuilder joined = new StringBuilder();
        for (int id : ids) {
            String t = vocab.token(id);
            if (t != null) joined.append(t);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(joined.length());
        for (int i = 0; i < joined.length(); i++) {
            int b = ByteLevel.decode(joined.charAt(i));
            if (b >= 0) bytes.write(b);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace("</w>", " ");
    }

    /** BPE of one piece of the split, with CLIP's cache (the special tokens map to themselves). */
    private String[] bpe(String piece) {
        if (piece.equals(ClipVocabulary.START_OF_TEXT) || piece.equals(ClipVocabulary.END_OF_TEXT)) return new String[] {piece};
        String[] hit = cache.get(piece);
        if (hit != null) return hit;
        String[] merged = Bpe.merge(vocab, ByteLevel.encode(piece));
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(piece, merged);
        return merged;
    }
}
