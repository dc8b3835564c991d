package dev.animagine.core.infotext;

import com.fasterxml.jackson.databind.JsonNode;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.pipeline.PngFiles;

import java.nio.file.Path;
import java.util.Map;

/**
 * Finds and parses the generation parameters in a PNG's text chunks, or in text a user pasted.
 * Chunks tried in order: {@code parameters} (A1111/Forge/civitai infotext, or the Animagine 4.0
 * space's JSON), {@code metadata} (the Animagine 3.1 space's JSON), {@code prompt} (a ComfyUI graph).
 */
public final class PngParameters {
    private PngParameters() {}

    /** The parameters stored in {@code png}; a clear error when there are none or they cannot be read. */
    public static GenerationParameters read(Path png) {
        Map<String, String> text = PngFiles.readText(png);
        try {
            return fromChunks(text);
        } catch (AnimagineException e) {
            throw new AnimagineException(png + ": " + e.getMessage());
        }
    }

    /** The parameters in a PNG's text chunks (keyword -> text). */
    public static GenerationParameters fromChunks(Map<String, String> chunks) {
        if (chunks.containsKey("parameters")) return fromText(chunks.get("parameters"));
        if (chunks.containsKey("metadata")) {
            JsonNode json = Json.objectOrNull(chunks.get("metadata"));
            if (json != null && SpaceMetadata.looksLikeSpace(json)) return SpaceMetadata.parse(json);
        }
        if (chunks.containsKey("prompt")) {
            JsonNode json = Json.objectOrNull(chunks.get("prompt"));
            if (json != null && ComfyPrompt.looksLikeComfy(json)) return ComfyPrompt.parse(json);
        }
        throw new AnimagineException("no generation parameters (no A1111 'parameters', Animagine space 'metadata' or ComfyUI 'prompt' text chunk)");
    }

    /**
     * Parameters from text: the Animagine space's JSON or a ComfyUI API graph when the text is such a
     * JSON object, otherwise an A1111 infotext (what {@code generate --infotext TEXT} takes).
     */
    public static GenerationParameters fromText(String text) {
        JsonNode json = Json.objectOrNull(text);
        if (json != null && SpaceMetadata.looksLikeSpace(json)) return SpaceMetadata.parse(json);
        if (json != null && ComfyPrompt.looksLikeComfy(json)) return ComfyPrompt.parse(json);
        return InfotextParser.parse(text);
    }
}
