package dev.animagine.core.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE vocabulary: token → id and the merge ranks. Loaded from a diffusers/HF
 * {@code vocab.json} + {@code merges.txt} or from OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}, from
 * which OpenAI builds the same 49408 ids: 256 byte characters, the same with {@code </w>}, one id per
 * merge, then {@code <|startoftext|>} and {@code <|endoftext|>}.
 */
public final class ClipVocabulary {
    public static final String START_OF_TEXT = "<|startoftext|>", END_OF_TEXT = "<|endoftext|>";
    /** OpenAI (and transformers' CLIPTokenizer) keep the first 49152 - 256 - 2 merges of the file. */
    static final int OPENAI_MERGES = 49152 - 256 - 2;

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> mergeRanks; // "first second" → rank
    private final String source;

    private ClipVocabulary(Map<String, Integer> encoder, List<String[]> merges, String source) {
        this.encoder = Map.copyOf(encoder);
        int max = encoder.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.decoder = new String[max + 1];
        encoder.forEach((t, id) -> {
            if (id < 0) throw new AnimagineException(source + ": negative id " + id + " for token '" + t + "'");
            decoder[id] = t;
        });
        Map<String, Integer> ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) ranks.putIfAbsent(merges.get(i)[0] + " " + merges.get(i)[1], i);
        this.mergeRanks = Map.copyOf(ranks);
        this.source = source;
    }

    /** A diffusers/HF tokenizer: {@code vocab.json} (token → id) and {@code merges.txt} ({@code #version} line, then one "a b" per line). */
    public static ClipVocabulary fromVocabJson(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> enc;
        try {
            enc = new ObjectMapper().readValue(vocabJson.toFile(), new TypeReference<LinkedHashMap<String, Integer>>() {});
        } catch (IOException e) {
            throw new AnimagineException(vocabJson + ": not a readable vocab.json (" + oneLine(e) + ")", e);
        }
        if (enc == null || enc.isEmpty()) throw new AnimagineException(vocabJson + ": empty vocabulary");
        List<String> lines = splitLines(readUtf8(mergesTxt, false), mergesTxt);
        int from = !lines.isEmpty() && lines.getFirst().startsWith("#version") ? 1 : 0;
        List<String[]> merges = parseMerges(lines.subList(from, Math.min(lines.size(), from + OPENAI_MERGES)), mergesTxt);
        ClipVocabulary v = new ClipVocabulary(enc, merges, vocabJson.getParent() == null ? vocabJson.toString() : vocabJson.getParent().toString());
        v.requireSpecials(vocabJson);
        for (String[] m : merges)
            if (!enc.containsKey(m[0] + m[1]))
                throw new AnimagineException(mergesTxt + ": merge '" + m[0] + " " + m[1] + "' has no entry in " + vocabJson.getFileName());
        return v;
    }

    /** OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}: the ids follow from the order of the merges. */
    public static ClipVocabulary fromOpenAiBpe(Path gz) {
        return fromOpenAiBpe(readUtf8(gz, true), gz, gz.toString());
    }

    /** Resource name of the copy of OpenAI's vocabulary shipped in the engine's jar (MIT licence, see NOTICE). */
    public static final String BUNDLED_RESOURCE = "bpe_simple_vocab_16e6.txt.gz";

    /**
     * The copy of OpenAI's {@code bpe_simple_vocab_16e6.txt.gz} shipped with the engine (the same file
     * ComfyUI and stable-diffusion.cpp ship): the last resort for a single-file checkpoint, which
     * carries no vocabulary.
     */
    public static ClipVocabulary bundled() {
        try (InputStream raw = ClipVocabulary.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (raw == null) throw new AnimagineException("the engine's jar lacks its CLIP vocabulary " + BUNDLED_RESOURCE);
            try (InputStream in = new GZIPInputStream(raw)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return fromOpenAiBpe(text, null, "built-in " + BUNDLED_RESOURCE);
            }
        } catch (IOException e) {
            throw new AnimagineException("cannot read the built-in CLIP vocabulary (" + oneLine(e) + ")", e);
        }
    }

    private static ClipVocabulary fromOpenAiBpe(String text, Path gz, String source) {
        List<String> lines = splitLines(text, gz);
        if (lines.size() < 2) throw new AnimagineException(source + ": no merges in the file");
        List<String[]> merges = parseMerges(lines.subList(1, Math.min(lines.size(), OPENAI_MERGES + 1)), gz);
        Map<String, Integer> enc = new LinkedHashMap<>();
        List<String> byteChars = ByteLevel.unicodeAlphabet();
        for (String c : byteChars) enc.put(c, enc.size());
        for (String c : byteChars) enc.put(c + "</w>", enc.size());
        for (String[] m : merges) enc.putIfAbsent(m[0] + m[1], enc.size());
        enc.put(START_OF_TEXT, enc.size());
        enc.put(END_OF_TEXT, enc.size());
        return new ClipVocabulary(enc, merges, source);
    }

    public int size() {
        return encoder.size();
    }

    /** The id of a vocabulary token, or -1. */
    public int id(String token) {
        return encoder.getOrDefault(token, -1);
    }

    /** The token of an id, or null. */
    public String token(int id) {
        return id >= 0 && id < decoder.length ? decoder[id] : null;
    }

    /** The rank of merging {@code first}+{@code second} (lower merges first), or {@link Integer#MAX_VALUE}. */
    int mergeRank(String first, String second) {
        return mergeRanks.getOrDefault(first + " " + second, Integer.MAX_VALUE);
    }

    public String source() {
        return source;
    }

    /** Id-for-id equality of two vocabularies (and of their merges). */
    public boolean sameAs(ClipVocabulary o) {
        return encoder.equals(o.encoder) && mergeRanks.equals(o.mergeRanks);
    }

    private void requireSpecials(Path file) {
        for (String s : new String[] {START_OF_TEXT, END_OF_TEXT})
            if (!encoder.containsKey(s)) throw new AnimagineException(file + ": no " + s + " token; not a CLIP vocabulary");
    }

    private static List<String[]> parseMerges(List<String> lines, Path file) {
        List<String[]> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) continue;
            String trimmed = line.strip();
            int sp = trimmed.indexOf(' ');
            String[] parts = sp < 0 ? new String[] {trimmed} : new String[] {trimmed.substring(0, sp), trimmed.substring(sp + 1).strip()};
            if (parts.length != 2 || parts[1].isEmpty() || parts[1].indexOf(' ') >= 0)
                throw new AnimagineException(file + ": line " + (i + 2) + " is not a merge of two symbols: '" + line + "'");
            merges.add(parts);
        }
        return merges;
    }

    private static List<String> splitLines(String text, Path file) {
        List<String> lines = new ArrayList<>(List.of(text.strip().split("\n", -1)));
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        return lines;
    }

    private static String readUtf8(Path file, boolean gzip) {
        try (InputStream raw = Files.newInputStream(file); InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
            byte[] bytes = in.readAllBytes();
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AnimagineException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new AnimagineException(file + ": cannot read (" + oneLine(e) + ")", e);
        }
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
