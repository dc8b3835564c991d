package dev.animagine.core.lora;

import dev.animagine.core.InvalidArgumentException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's extra-network syntax in a prompt: {@code <lora:NAME>}, {@code <lora:NAME:WEIGHT>},
 * {@code <lora:NAME:TE:UNET>}, named {@code te=}/{@code unet=} arguments, and LyCORIS' {@code <lyco:...>}
 * alias. Like A1111 ({@code extra_networks.parse_prompt}), every {@code <word:...>} tag is removed
 * from the text; tags of other networks (hypernet, ...) are returned as {@link #ignored()}.
 *
 * @param prompt  the prompt without the tags (the rest of the text untouched, as A1111 leaves it)
 * @param loras   the adapters in prompt order
 * @param ignored other extra-network tags that were removed
 */
public record LoraPrompt(String prompt, List<Reference> loras, List<String> ignored) {
    /** One {@code <lora:...>} tag: the name as written and its text-encoder and UNet weights. */
    public record Reference(String name, float te, float unet) {}

    private static final Pattern TAG = Pattern.compile("<(\\w+):([^>]+)>");

    public static LoraPrompt parse(String text) {
        List<Reference> loras = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        Matcher m = TAG.matcher(text);
        StringBuilder cleaned = new StringBuilder();
        while (m.find()) {
            String kind = m.group(1);
            if (kind.equals("lora") || kind.equals("lyco")) loras.add(reference(m.group(0), m.group(2)));
            else ignored.add(m.group(0));
            m.appendReplacement(cleaned, "");
        }
        m.appendTail(cleaned);
        return new LoraPrompt(cleaned.toString(), List.copyOf(loras), List.copyOf(ignored));
    }

    /** A1111 {@code ExtraNetworkLora.activate}: te = 2nd positional (default 1), unet = 3rd (default te), named te=/unet= win. */
    private static Reference reference(String tag, String args) {
        List<String> positional = new ArrayList<>();
        String te = null, unet = null;
        for (String item : args.split(":", -1)) {
            int eq = item.indexOf('=');
            if (eq < 0) {
                positional.add(item);
                continue;
            }
            String key = item.substring(0, eq).strip(), value = item.substring(eq + 1);
            if (key.equals("te")) te = value;
            else if (key.equals("unet")) unet = value;
            // dyn= (dynamic rank truncation) and unknown keys are accepted and ignored, as A1111 ignores unknown keys
        }
        if (positional.isEmpty() || positional.getFirst().isBlank())
            throw new InvalidArgumentException("prompt tag " + tag + ": no LoRA name");
        float teW = positional.size() > 1 ? number(tag, positional.get(1)) : 1f;
        if (te != null) teW = number(tag, te);
        float unetW = positional.size() > 2 ? number(tag, positional.get(2)) : teW;
        if (unet != null) unetW = number(tag, unet);
        return new Reference(positional.getFirst(), teW, unetW);
    }

    private static float number(String tag, String s) {
        try {
            float f = Float.parseFloat(s.strip());
            if (!Float.isFinite(f)) throw new NumberFormatException();
            return f;
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("prompt tag " + tag + ": weight '" + s + "' is not a number");
        }
    }
}
