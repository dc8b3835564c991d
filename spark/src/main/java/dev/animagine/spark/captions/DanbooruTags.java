package dev.animagine.spark.captions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Danbooru tag strings (space-separated, words joined by underscores) turned into caption tags, as
 * cagliostrolab's dataset builder writes them for Animagine.
 */
public final class DanbooruTags {
    /** Meta tags that describe the post, not the picture: dropped from captions. */
    private static final List<String> DROPPED_META = List.of(
            "(medium)", "commentary", "bad", "translat", "request", "mismatch", "revision", "audio", "video");

    private DanbooruTags() {}

    /** The tags of a tag string in their order, written for a caption; null or blank is no tags. */
    public static List<String> split(String tagString) {
        List<String> tags = new ArrayList<>();
        if (tagString == null) return tags;
        for (String raw : tagString.strip().split("\\s+")) {
            if (!raw.isEmpty()) tags.add(caption(raw));
        }
        return tags;
    }

    /**
     * A tag as a caption writes it: underscores become spaces in tags longer than three characters,
     * so emoticons such as {@code ^_^}, {@code >_<} and {@code o_o} keep theirs.
     */
    public static String caption(String tag) {
        return tag.length() > 3 ? tag.replace('_', ' ') : tag;
    }

    /** True for meta tags about the post rather than the image (commentary, translation, requests, media). */
    public static boolean isDroppedMeta(String tag) {
        String t = tag.toLowerCase(Locale.ROOT);
        for (String part : DROPPED_META) {
            if (t.contains(part)) return true;
        }
        return false;
    }
}
