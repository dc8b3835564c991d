package dev.animagine.core.infotext;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.pipeline.Infotext;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random texts: whatever our A1111-style writer produces from a prompt, a negative prompt and
 * pairs within what A1111's format can carry is parsed back to exactly those; and no text at all makes
 * the readers fail with anything but a one-line {@link AnimagineException}.
 */
class InfotextPropertyTest {
    private static final String TRICKY = "ab ,:\"\\\n\t()[]{}/-_=日★\u00e9\u2028";
    private static final String KEY_CHARS = "abcXYZ09 _-/";

    private static String random(Random r, String alphabet, int max) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return sb.toString();
    }

    /** Prompt lines are stripped by A1111's reader, and a line may not start the negative prompt. */
    private static String promptText(Random r) {
        StringBuilder sb = new StringBuilder();
        for (String line : random(r, TRICKY, 40).split("\n", -1)) {
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(line.strip().replace("Negative prompt:", "neg"));
        }
        return sb.toString();
    }

    /**
     * A value the format can carry: A1111 strips the whitespace around unquoted values, and an
     * unquoted value that starts with '"' (or '{'/'[' here) would be read as quoted JSON.
     */
    private static String value(Random r) {
        String v = random(r, TRICKY, 20).strip();
        if (v.isEmpty() || "\"{[".indexOf(v.charAt(0)) >= 0) v = "v" + v;
        return v;
    }

    @Test
    void writerOutputParsesBackExactly() {
        Random r = new Random(20261129);
        for (int i = 0; i < 3000; i++) {
            String prompt = promptText(r), negative = promptText(r);
            Map<String, String> pairs = new LinkedHashMap<>();
            int n = 3 + r.nextInt(6);
            while (pairs.size() < n) {
                String key = ("K" + random(r, KEY_CHARS, 8)).strip();
                if (key.length() >= 2) pairs.put(key, value(r));
            }
            Infotext t = new Infotext(prompt, negative);
            pairs.forEach(t::put);
            String text = t.format();
            GenerationParameters p = InfotextParser.parse(text);
            // the reader strips the whole text, so only leading blank lines of the prompt are lost
            assertThat(p.prompt()).as(text).isEqualTo(prompt.stripLeading());
            assertThat(p.negativePrompt()).as(text).isEqualTo(negative);
            assertThat(p.params()).as(text).containsExactlyEntriesOf(pairs);
        }
    }

    @Test
    void anyTextParsesOrFailsWithAOneLineMessage() {
        Random r = new Random(7);
        String alphabet = TRICKY + "Steps:Seed:Size:1x Negative prompt:\"prompt\"class_type{}[]0123456789";
        for (int i = 0; i < 5000; i++) {
            String text = random(r, alphabet, 120);
            if (r.nextInt(4) == 0) text = "{\"prompt\": \"" + text.replace("\"", "") + "\", \"resolution\": \"" + random(r, "0123456789 x", 9) + "\"}";
            try {
                GenerationParameters p = PngParameters.fromText(text);
                assertThat(p.params().keySet()).containsAll(p.unknownKeys());
            } catch (AnimagineException e) {
                assertThat(e.getMessage()).as(text).doesNotContain("\n").isNotBlank();
            }
        }
    }
}
