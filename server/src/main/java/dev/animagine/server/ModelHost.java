package dev.animagine.server;

import dev.animagine.core.io.CheckpointOptions;
import dev.animagine.core.io.ModelHashes;
import dev.animagine.core.service.GenerationService;
import dev.animagine.core.service.ImageRequest;
import dev.animagine.core.service.RunControl;

import java.nio.file.Path;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The one loaded checkpoint. Requests use it under a read lock; switching to another checkpoint
 * (only ever done by the queue's worker, between jobs) takes the write lock, so nothing uses a
 * closed model.
 */
public final class ModelHost implements AutoCloseable {
    private final ModelCatalog catalog;
    private final CheckpointOptions options;
    private final Path tokenizerDir;
    private final ReadWriteLock lock = new ReentrantReadWriteLock(true);
    private GenerationService service;
    private ModelCatalog.Entry loaded;
    private volatile String hash;
    /** The checkpoint new jobs use unless they name another (A1111's sd_model_checkpoint option). */
    private volatile ModelCatalog.Entry selected;

    public ModelHost(ModelCatalog catalog, CheckpointOptions options, Path tokenizerDir) {
        this.catalog = catalog;
        this.options = options;
        this.tokenizerDir = tokenizerDir;
        this.selected = catalog.checkpoints().getFirst();
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public ModelCatalog.Entry selected() {
        return selected;
    }

    public void select(ModelCatalog.Entry entry) {
        selected = entry;
    }

    /** The loaded checkpoint (the selected one before the first load). */
    public ModelCatalog.Entry loaded() {
        lock.readLock().lock();
        try {
            return loaded == null ? selected : loaded;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The loaded checkpoint's A1111 short hash, once known. */
    public String hash() {
        return hash;
    }

    /** Loads {@code entry} unless it is loaded already (closing the previous one). */
    public void ensure(ModelCatalog.Entry entry) {
        lock.writeLock().lock();
        try {
            if (service != null && loaded.equals(entry)) return;
            if (service != null) service.close();
            service = null;
            loaded = null;
            hash = null;
            service = GenerationService.open(entry.path(), options, tokenizerDir);
            loaded = entry;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs {@code body} with the loaded model (loading the selected one first if none is). */
    public <T> T withService(Function<GenerationService, T> body) {
        lock.readLock().lock();
        try {
            if (service != null) return body.apply(service);
        } finally {
            lock.readLock().unlock();
        }
        ensure(selected);
        return withService(body);
    }

    /**
     * A tiny generation (64x64, one step) so that the kernels are compiled and the weights paged in
     * before the first request; also computes the model hash the infotext carries.
     */
    public void warmUp() {
        withService(s -> {
            hash = ModelHashes.shortHash(s.checkpoint());
            ImageRequest tiny = ImageRequest.builder().prompt("warm-up").verbatim(true).size(64, 64).steps(1).seed(0).build();
            return s.generate(tiny, RunControl.silent());
        });
    }

    /** The hash, computed on first use (reads the file once; cached across runs by ModelHashes). */
    public String computeHash() {
        String h = hash;
        if (h != null) return h;
        return withService(s -> hash = ModelHashes.shortHash(s.checkpoint()));
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (service != null) service.close();
            service = null;
            loaded = null;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
