package dev.skein.bench;

import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.log.PartitionLog;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * One partition log in a fresh temporary directory, for the JMH benchmarks. The log manager's background tasks
 * (retention, flush.ms, state commit) are scheduled an hour apart so they never run inside a measurement; a
 * benchmark that must bound disk use calls {@link #dropOldSegments()} between iterations.
 *
 * <p>Threading: owned by one benchmark thread. {@link #close()} closes the log manager and deletes the directory.
 */
final class BenchLog implements Closeable {
    private static final long BACKGROUND_PERIOD_MS = 3_600_000L;

    private final Path dir;
    private final ScheduledThreadPoolExecutor scheduler;
    private final LogManager manager;
    private final PartitionLog log;

    private BenchLog(Path dir, ScheduledThreadPoolExecutor scheduler, LogManager manager, PartitionLog log) {
        this.dir = dir;
        this.scheduler = scheduler;
        this.manager = manager;
        this.log = log;
    }

    /** Opens an empty log of topic {@code bench}, partition 0, with the given topic config overrides. */
    static BenchLog open(Map<String, String> topicConfig) throws IOException {
        Path dir = Files.createTempDirectory("skein-bench-log");
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        LogManager manager = LogManager.open(
                dir, Time.SYSTEM, scheduler, BACKGROUND_PERIOD_MS, BACKGROUND_PERIOD_MS, BACKGROUND_PERIOD_MS);
        PartitionLog log = manager.getOrCreate(new TopicPartition("bench", 0), LogConfig.of(Map.of(), topicConfig));
        return new BenchLog(dir, scheduler, manager, log);
    }

    PartitionLog log() {
        return log;
    }

    /** Marks everything committed and applies retention, so old segments go as retention.bytes allows. */
    void dropOldSegments() {
        log.updateHighWatermark(log.logEndOffset());
        log.deleteOldSegments();
    }

    @Override
    public void close() throws IOException {
        manager.close();
        scheduler.shutdownNow();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
