package dev.animagine.spark.captions;

import dev.animagine.core.AnimagineException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.UUID;

/**
 * The job's output directory, written as a hidden temporary sibling and renamed into place at the end,
 * so that readers never see half an output and an existing directory is never replaced. On a local or
 * HDFS file system the rename is atomic; on object stores (s3a, gs) it is a copy, done last.
 */
final class OutputDirectory {
    private final FileSystem fs;
    private final Path target;
    private final Path tmp;

    private OutputDirectory(FileSystem fs, Path target, Path tmp) {
        this.fs = fs;
        this.target = target;
        this.tmp = tmp;
    }

    static OutputDirectory create(String output, Configuration conf) {
        try {
            Path p = new Path(output);
            FileSystem fs = p.getFileSystem(conf);
            Path target = fs.makeQualified(p);
            if (fs.exists(target))
                throw new AnimagineException(output + ": already exists (refusing to overwrite it; choose another output path)");
            Path parent = target.getParent();
            if (parent != null && isLocal(fs) && !fs.exists(parent))
                throw new AnimagineException(output + ": directory " + parent.toUri().getPath() + " does not exist");
            Path tmp = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
            if (!fs.mkdirs(tmp)) throw new AnimagineException(output + ": cannot create " + tmp);
            return new OutputDirectory(fs, target, tmp);
        } catch (IOException e) {
            throw new AnimagineException(output + ": cannot prepare the output (" + e.getMessage() + ")", e);
        }
    }

    /** Where the job writes until {@link #commit()}. */
    Path tmp() {
        return tmp;
    }

    Path target() {
        return target;
    }

    FileSystem fs() {
        return fs;
    }

    void commit() {
        try {
            if (isLocal(fs)) {
                // java.nio's move fails if the target appeared meanwhile; Hadoop's rename would move into it.
                Files.move(Paths.get(tmp.toUri()), Paths.get(target.toUri()));
                return;
            }
            if (fs.exists(target) || !fs.rename(tmp, target))
                throw new AnimagineException(target + ": already exists or cannot be renamed into place (output left in " + tmp + ")");
        } catch (FileAlreadyExistsException e) {
            throw new AnimagineException(target + ": already exists (refusing to overwrite it; output left in " + tmp + ")");
        } catch (IOException e) {
            throw new AnimagineException(target + ": cannot move the output into place (" + e.getMessage() + ")", e);
        }
    }

    void abort() {
        try {
            fs.delete(tmp, true);
        } catch (IOException ignored) {
            // best effort: the leftover is hidden and clearly named
        }
    }

    private static boolean isLocal(FileSystem fs) {
        return "file".equals(fs.getUri().getScheme());
    }
}
