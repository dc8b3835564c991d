package dev.animagine.spark.captions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-designed 200-post Danbooru metadata set, generated deterministically: 100 general posts whose
 * scores are 1..100 (so the quality percentiles fall on known scores), 40 sensitive, 30 questionable, 30
 * explicit; posting years 2005..2026 in turn; eight image sizes with buckets worked out by hand; five
 * general-tag patterns with count tags and emoticons; post meta tags to drop.
 */
final class DanbooruSample {
    static final int POSTS = 200;
    static final String[] GENERAL = {
        "1girl solo long_hair ^_^",
        "1boy male_focus short_hair >_<",
        "2girls multiple_girls yuri smile",
        "no_humans scenery",
        "1boy 1girl hetero :d",
    };
    /** The count tags each pattern opens its caption with. */
    static final String[] COUNT_PREFIX = {"1girl, ", "1boy, male focus, ", "2girls, multiple girls, ", "", "1boy, 1girl, "};
    static final int[][] SIZES = {{1024, 1024}, {500, 300}, {1000, 1500}, {3000, 2000}, {4000, 500}, {300, 200}, {2048, 2048}, {832, 1216}};
    static final String[] BUCKETS = {"1024x1024", "448x256", "832x1216", "1216x832", "2560x320", "256x192", "1024x1024", "832x1216"};

    private DanbooruSample() {}

    static char rating(int i) {
        return i < 100 ? 'g' : i < 140 ? 's' : i < 170 ? 'q' : 'e';
    }

    static int score(int i) {
        return switch (rating(i)) {
            case 'g' -> (i * 37) % 100 + 1; // a permutation of 1..100
            case 's' -> (i * 7) % 40 - 5;
            case 'q' -> (i * 11) % 30;
            default -> ((i * 13) % 30) * 2;
        };
    }

    static int year(int i) {
        return 2005 + i % 22;
    }

    static long id(int i) {
        return 1000 + i;
    }

    static String key(int i) {
        return i % 50 == 49 ? String.valueOf(id(i)) : String.format("%04d/%d.jpg", i / 100, id(i));
    }

    static String line(int i) {
        String character = i % 3 == 0 ? "hatsune_miku" : "";
        String copyright = i % 3 == 0 ? "vocaloid" : "";
        String createdAt = i == 5 ? year(i) + "-12-31T23:30:00.000-05:00" : year(i) + "-06-15T12:00:00.000+09:00";
        String filePath = i % 50 == 49 ? "" : ", \"file_path\": \"" + key(i) + "\"";
        return "{\"id\": " + id(i)
                + ", \"tag_string_general\": \"" + GENERAL[i % 5] + "\""
                + ", \"tag_string_character\": \"" + character + "\""
                + ", \"tag_string_copyright\": \"" + copyright + "\""
                + ", \"tag_string_artist\": \"artist_" + (i % 7) + "\""
                + ", \"tag_string_meta\": \"absurdres commentary_request highres translated bad_id\""
                + ", \"rating\": \"" + rating(i) + "\", \"score\": " + score(i)
                + ", \"created_at\": \"" + createdAt + "\""
                + ", \"image_width\": " + SIZES[i % SIZES.length][0] + ", \"image_height\": " + SIZES[i % SIZES.length][1]
                + filePath + ", \"md5\": \"ignored\"}";
    }

    static Path write(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < POSTS; i++) lines.add(line(i));
        Path p = dir.resolve("posts.jsonl");
        Files.write(p, lines);
        return p;
    }

    /** The nearest-rank percentile Spark's exact quantile returns: the ceil(p*n)-th smallest score. */
    static double percentileScore(char rating, double p) {
        List<Integer> scores = new ArrayList<>();
        for (int i = 0; i < POSTS; i++) if (rating(i) == rating) scores.add(score(i));
        scores.sort(null);
        int rank = (int) Math.ceil(p * scores.size());
        return scores.get(Math.max(rank, 1) - 1);
    }
}
