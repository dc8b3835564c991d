package dev.animagine.spark.captions;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Captions one partition on an executor: one .txt per post under {@code captions/}, and this partition's
 * share of {@code metadata.json} and {@code captions.tsv} under {@code _parts/}, which the driver joins.
 * A retried task rewrites the same files, so a retry leaves the same output.
 */
final class CaptionWriter implements Function2<Integer, Iterator<Row>, Iterator<CaptionSummary>> {
    static final String CAPTIONS = "captions";
    static final String PARTS = "_parts";

    private final String tmpDir;
    private final Map<String, String> hadoopConf;
    private final CaptionRules rules;
    private final QualityScale scale;
    private final Map<Character, double[]> cutScores;
    private final KohyaBuckets buckets;

    CaptionWriter(String tmpDir, Map<String, String> hadoopConf, CaptionRules rules, QualityScale scale,
                  Map<Character, double[]> cutScores, KohyaBuckets buckets) {
        this.tmpDir = tmpDir;
        this.hadoopConf = hadoopConf;
        this.rules = rules;
        this.scale = scale;
        this.cutScores = cutScores;
        this.buckets = buckets;
    }

    @Override
    public Iterator<CaptionSummary> call(Integer partition, Iterator<Row> rows) throws IOException {
        Configuration conf = new Configuration(false);
        hadoopConf.forEach(conf::set);
        Path root = new Path(tmpDir);
        FileSystem fs = root.getFileSystem(conf);
        fs.setWriteChecksum(false);
        CaptionSummary summary = new CaptionSummary();
        CaptionFiles files = CaptionFiles.of(fs, root);
        String part = String.format("%05d", partition);
        try (Writer meta = open(fs, new Path(root, PARTS + "/metadata-" + part + ".json"));
             Writer map = open(fs, new Path(root, PARTS + "/captions-" + part + ".tsv"))) {
            boolean first = true;
            while (rows.hasNext()) {
                DanbooruPost post = DanbooruMetadata.post(rows.next());
                Caption caption = rules.caption(post, qualityTag(post));
                KohyaBuckets.Bucket bucket = buckets.select(post.width(), post.height());
                String txt = captionFile(post.imageKey());
                files.write(txt, caption.text());
                if (!first) meta.write(",\n");
                first = false;
                meta.write(Json.quote(post.imageKey()) + ": {\"caption\": " + Json.quote(caption.kept())
                        + ", \"tags\": " + Json.quote(caption.tags())
                        + ", \"train_resolution\": [" + bucket.width() + ", " + bucket.height() + "]"
                        + ", \"image_size\": [" + post.width() + ", " + post.height() + "]}");
                map.write(post.id() + "\t" + post.imageKey() + "\t" + txt + "\t" + bucket + "\n");
                summary.add(caption, bucket, buckets.outOfRange(bucket));
            }
        }
        return List.of(summary).iterator();
    }

    private String qualityTag(DanbooruPost post) {
        double[] cuts = cutScores.get(post.rating());
        return scale.tag(post.score(), cuts);
    }

    /** captions/ + the image key without its extension + .txt; a leading / is dropped. */
    static String captionFile(String imageKey) {
        String k = imageKey.replace('\\', '/');
        while (k.startsWith("/")) k = k.substring(1);
        int slash = k.lastIndexOf('/');
        int dot = k.lastIndexOf('.');
        String stem = dot > slash + 1 ? k.substring(0, dot) : k;
        return CAPTIONS + "/" + stem + ".txt";
    }

    private static Writer open(FileSystem fs, Path p) throws IOException {
        FSDataOutputStream out = fs.create(p, true);
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    }
}
