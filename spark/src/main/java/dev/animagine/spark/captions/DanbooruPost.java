package dev.animagine.spark.captions;

import java.io.Serializable;

/**
 * The fields of one Danbooru post that a caption needs.
 *
 * @param imageKey the image's path as the metadata gives it (sd-scripts' image key)
 * @param rating   Danbooru's one-letter rating: g, s, q or e
 * @param year     the posting year, from created_at
 */
public record DanbooruPost(
        long id,
        String imageKey,
        String general,
        String character,
        String copyright,
        String artist,
        String meta,
        char rating,
        double score,
        int year,
        int width,
        int height) implements Serializable {
}
