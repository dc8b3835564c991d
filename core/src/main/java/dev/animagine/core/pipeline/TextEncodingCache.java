package dev.animagine.core.pipeline;

import dev.animagine.core.text.A1111Settings;
import dev.animagine.core.text.PromptMode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The last few text conditionings a pipeline's text encoders produced, so a request that repeats a
 * prompt (the next batch of a request, or a server's next request with the same prompt) skips both
 * text encoders. Least recently used entries go first. It belongs to one set of text-encoder
 * weights: a pipeline whose adapters change the text encoders gets a cache of its own.
 */
final class TextEncodingCache {
    /** Everything of a request that the text conditioning depends on (the encoders' weights aside). */
    record Key(String prompt, String negativePrompt, PromptMode mode, A1111Settings a1111, int clipSkip, boolean guidance) {
        static Key of(GenerationRequest r) {
            return new Key(r.prompt(), r.negativePrompt(), r.promptMode(), r.a1111(), r.clipSkip(), r.classifierFreeGuidance());
        }
    }

    private final int capacity;
    private final Map<Key, TextConditioning> entries;
    private long encodings;

    TextEncodingCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The cached conditioning of the request's prompts, or {@code encode}'s (then kept). */
    TextConditioning get(GenerationRequest req, Supplier<TextConditioning> encode) {
        Key key = Key.of(req);
        synchronized (this) {
            TextConditioning hit = entries.get(key);
            if (hit != null) return hit;
        }
        TextConditioning c = encode.get(); // outside the lock: encoding takes a while
        synchronized (this) {
            encodings++;
            if (capacity > 0) {
                entries.put(key, c);
                if (entries.size() > capacity) entries.remove(entries.keySet().iterator().next());
            }
        }
        return c;
    }

    synchronized void clear() {
        entries.clear();
    }

    /** How many times the text encoders ran through this cache. */
    synchronized long encodings() {
        return encodings;
    }
}
