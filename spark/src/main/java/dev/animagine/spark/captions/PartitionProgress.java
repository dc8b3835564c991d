package dev.animagine.spark.captions;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Follows the partitions of the Spark jobs whose description is {@code description} on the driver:
 * one log line per finished partition, and a callback for a progress bar.
 */
public final class PartitionProgress extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionProgress.class);

    /** Told of each finished partition (on Spark's listener thread). */
    public interface Sink {
        void partitionDone(int done, int total);
    }

    private final String description;
    private final int total;
    private final Sink sink;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final Set<Integer> done = ConcurrentHashMap.newKeySet();
    private final AtomicInteger doneCount = new AtomicInteger();
    private boolean finished;

    public PartitionProgress(String description, int total, Sink sink) {
        this.description = description;
        this.total = total;
        this.sink = sink;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        Properties p = start.properties();
        if (p == null || !description.equals(p.getProperty("spark.job.description"))) return;
        for (StageInfo s : CollectionConverters.asJava(start.stageInfos())) stages.add(s.stageId());
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        if (finished || !stages.contains(end.stageId()) || !end.taskInfo().successful()) return;
        if (!done.add(end.taskInfo().index())) return; // a speculative or retried copy
        int n = doneCount.incrementAndGet();
        LOG.info("{}: partition {} done ({} of {})", description, end.taskInfo().index(), n, total);
        if (sink != null) sink.partitionDone(n, total);
    }

    /**
     * Called once the job has returned: listener events arrive asynchronously, so the last ones may
     * still be queued; the sink is told the job is complete and later events are ignored.
     */
    public synchronized void finish() {
        finished = true;
        if (doneCount.get() < total && sink != null) sink.partitionDone(total, total);
    }
}
