package dev.animagine.spark.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.animagine.core.AnimagineException;
import dev.animagine.core.animagine.Wildcards;
import dev.animagine.core.service.GeneratedImage;
import dev.animagine.core.service.GenerationResult;
import dev.animagine.core.service.GenerationService;
import dev.animagine.core.service.PreparedRequest;
import dev.animagine.core.service.RunControl;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Makes one partition's images on an executor: {@code images/<id>.png} (with the A1111 infotext)
 * and {@code images/<id>.json}, the row's result, each written under a temporary name and renamed.
 * A row whose result file exists was done by an earlier run and is not made again; a row that fails
 * is recorded as failed (a rerun retries it) and the partition goes on.
 */
final class BatchWriter implements FlatMapFunction<Iterator<BatchRow>, BatchResult> {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);
    static final String IMAGES = "images";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String outputDir;
    private final Map<String, String> hadoopConf;
    private final BatchOptions options;

    BatchWriter(String outputDir, Map<String, String> hadoopConf, BatchOptions options) {
        this.outputDir = outputDir;
        this.hadoopConf = hadoopConf;
        this.options = options;
    }

    @Override
    public Iterator<BatchResult> call(Iterator<BatchRow> rows) throws IOException {
        Configuration conf = new Configuration(false);
        hadoopConf.forEach(conf::set);
        Path images = new Path(outputDir, IMAGES);
        FileSystem fs = images.getFileSystem(conf);
        fs.setWriteChecksum(false);
        List<BatchResult> results = new ArrayList<>();
        GenerationService service = null;
        Wildcards wildcards = Wildcards.of(options.wildcards());
        while (rows.hasNext()) {
            BatchRow row = rows.next();
            Path record = new Path(images, row.id() + ".json");
            if (fs.exists(record)) {
                results.add(read(fs, record).asDone());
                continue;
            }
            if (service == null) service = ServiceCache.get(options.model(), options.config(), options.tokenizer());
            results.add(generate(fs, images, row, record, service, wildcards));
        }
        return results.iterator();
    }

    private BatchResult generate(FileSystem fs, Path images, BatchRow row, Path record, GenerationService service,
                                 Wildcards wildcards) throws IOException {
        long start = System.nanoTime();
        try {
            PreparedRequest prepared = service.prepare(row.toRequest(options.defaults(), wildcards));
            GenerationResult result = service.generate(prepared, RunControl.silent());
            GeneratedImage image = result.images().getFirst();
            String file = IMAGES + "/" + row.id() + ".png";
            write(fs, new Path(images, row.id() + ".png"), image.png());
            BatchResult r = new BatchResult(row.id(), "generated", file, image.seed(), image.width(), image.height(),
                    image.prompt(), image.negativePrompt(), image.parameters(), null, seconds(start));
            write(fs, record, JSON.writeValueAsBytes(r));
            LOG.info("batch: {} done in {} s", row.id(), String.format("%.1f", r.seconds()));
            return r;
        } catch (RuntimeException e) {
            String message = e instanceof AnimagineException ? e.getMessage() : e.toString();
            LOG.warn("batch: {} failed: {}", row.id(), message);
            return BatchResult.failed(row.id(), message, seconds(start));
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static BatchResult read(FileSystem fs, Path record) throws IOException {
        try (InputStream in = fs.open(record)) {
            return JSON.readValue(in, BatchResult.class);
        }
    }

    /**
     * Writes under a hidden temporary name in the same folder, then renames. A PNG left without its
     * result file by a killed run is this batch's own partial output and is replaced.
     */
    static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(bytes);
        }
        if (fs.exists(target)) fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            fs.delete(tmp, false);
            throw new IOException(target + ": cannot rename " + tmp + " into place");
        }
    }
}
