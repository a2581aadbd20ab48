package dev.skein.broker.log;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log compaction for topics whose {@code cleanup.policy} includes {@code compact}: keeps the latest record per key,
 * removes tombstones after {@code delete.retention.ms}, never changes an offset and never touches the active segment.
 *
 * <p>Each pass ({@link #cleanDirtiest}) picks the log with the highest dirty ratio (see {@link CleanableRange}) among
 * those at or above their {@code min.cleanable.dirty.ratio}, or else one whose kept tombstones have reached their
 * delete horizon, and compacts it with a {@link LogCompactor}.
 *
 * <p>Cleaner checkpoint: the first dirty offset of each partition (the base offset of the first segment the last
 * clean did not map) is stored in the broker's {@link BrokerStateStore} and committed right after each clean. A crash
 * before that commit only makes the next clean treat already-clean segments as dirty again, which is harmless:
 * compaction is idempotent. Checkpoints outside the log (after retention or truncation) just mean "all dirty".
 *
 * <p>Threading: one background thread ({@code skein-log-cleaner}) runs passes every {@code log.cleaner.backoff.ms}
 * when enabled, repeating at once while logs are dirty; tests may call {@link #cleanDirtiest} directly instead. The
 * segments a clean replaces are closed and deleted on the broker's scheduler after {@code file.delete.delay.ms}, so
 * that fetches holding slices of them (zero-copy sends included) finish first. {@link #close} stops the thread
 * between chunks (never by interrupting it: an interrupt would close the segments' file channels under the readers)
 * and deletes the retired segments still pending.
 */
public final class LogCleaner implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    /** {@code log.cleaner.enable}, {@code log.cleaner.backoff.ms} and {@code log.cleaner.dedupe.buffer.size}. */
    public record Settings(boolean enable, long backoffMs, long dedupeBufferBytes) {
        public static final long DEFAULT_BACKOFF_MS = 15_000L;
        public static final long DEFAULT_DEDUPE_BUFFER_BYTES = 128L * 1024 * 1024;

        public static Settings defaults() {
            return new Settings(true, DEFAULT_BACKOFF_MS, DEFAULT_DEDUPE_BUFFER_BYTES);
        }

        /** No background thread; cleaning happens only through {@link #cleanDirtiest}. */
        public static Settings manual() {
            return new Settings(false, DEFAULT_BACKOFF_MS, DEFAULT_DEDUPE_BUFFER_BYTES);
        }
    }

    /** What one clean did. {@code cleanedTo} is the new checkpoint (first dirty offset). */
    public record CleanResult(
            TopicPartition topicPartition,
            long cleanedTo,
            long bytesBefore,
            long bytesAfter,
            int segmentsBefore,
            int segmentsAfter,
            int keys) {}

    private final Supplier<Collection<PartitionLog>> logs;
    private final BrokerStateStore store;
    private final Time time;
    private final ScheduledExecutorService scheduler;
    private final Settings settings;
    private final ScheduledExecutorService thread;
    private final Map<TopicPartition, Long> tombstoneHorizons = new ConcurrentHashMap<>();
    private final Set<TopicPartition> failed = ConcurrentHashMap.newKeySet();
    private final Set<LogSegment> pendingDeletion = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    private LogCleaner(
            Supplier<Collection<PartitionLog>> logs,
            BrokerStateStore store,
            Time time,
            ScheduledExecutorService scheduler,
            Settings settings,
            ScheduledExecutorService thread) {
        this.logs = logs;
        this.store = store;
        this.time = time;
        this.scheduler = scheduler;
        this.settings = settings;
        this.thread = thread;
    }

    /**
     * Creates the cleaner and, when {@code settings.enable()}, starts its thread.
     *
     * @param scheduler runs the delayed deletion of replaced segments
     */
    static LogCleaner start(
            String name,
            Supplier<Collection<PartitionLog>> logs,
            BrokerStateStore store,
            Time time,
            ScheduledExecutorService scheduler,
            Settings settings) {
        ScheduledExecutorService thread = null;
        if (settings.enable()) {
            thread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "skein-log-cleaner-" + name);
                t.setDaemon(true);
                return t;
            });
        }
        LogCleaner cleaner = new LogCleaner(logs, store, time, scheduler, settings, thread);
        if (thread != null) {
            long backoff = settings.backoffMs();
            thread.scheduleWithFixedDelay(cleaner::cleanWhileDirty, backoff, backoff, TimeUnit.MILLISECONDS);
        }
        return cleaner;
    }

    private void cleanWhileDirty() {
        while (!stopped && cleanDirtiest().isPresent()) {
            // Keep going while some log is dirty enough; back off once none is.
        }
    }

    /**
     * Cleans the dirtiest eligible log, if any. A log whose clean fails with an I/O error is logged and left out of
     * later passes (as Kafka marks it uncleanable) so that one bad partition does not stop the others.
     */
    public synchronized Optional<CleanResult> cleanDirtiest() {
        long now = time.milliseconds();
        PartitionLog dirtiest = null;
        double dirtiestRatio = -1;
        for (PartitionLog log : logs.get()) {
            LogConfig cfg = log.config();
            TopicPartition tp = log.topicPartition();
            if (!cfg.compact() || failed.contains(tp)) {
                continue;
            }
            CleanableRange range = range(log, cfg, now);
            double ratio = range.dirtyRatio();
            boolean dirty = range.dirtyBytes() > 0 && ratio >= cfg.minCleanableDirtyRatio();
            boolean tombstonesDue = tombstoneHorizons.getOrDefault(tp, Long.MAX_VALUE) <= now;
            if ((dirty || tombstonesDue) && ratio > dirtiestRatio) {
                dirtiest = log;
                dirtiestRatio = ratio;
            }
        }
        if (dirtiest == null) {
            return Optional.empty();
        }
        try {
            return clean(dirtiest, now);
        } catch (IOException | RuntimeException e) {
            failed.add(dirtiest.topicPartition());
            LOG.error("{}: compaction failed; the partition is not cleaned again until restart", dirtiest, e);
            return Optional.empty();
        }
    }

    private CleanableRange range(PartitionLog log, LogConfig cfg, long now) {
        long checkpoint = store.cleanerCheckpoint(log.topicPartition()).orElse(-1L);
        return CleanableRange.of(log.segments(), cfg, now, log.lastStableOffset(), checkpoint);
    }

    private Optional<CleanResult> clean(PartitionLog log, long now) throws IOException {
        LogConfig cfg = log.config();
        List<LogSegment> segments = log.segments();
        long checkpoint = store.cleanerCheckpoint(log.topicPartition()).orElse(-1L);
        // Never past the last stable offset: undecided transactions must not be compacted (Kafka's rule).
        CleanableRange range = CleanableRange.of(segments, cfg, now, log.lastStableOffset(), checkpoint);
        long bytesBefore = log.sizeInBytes();
        long deleteDelayMs = cfg.fileDeleteDelayMs();
        LogCompactor compactor =
                new LogCompactor(log, cfg, now, () -> stopped, retired -> scheduleDeletion(retired, deleteDelayMs));
        LogCompactor.Outcome outcome = compactor.compact(segments, range, settings.dedupeBufferBytes());
        TopicPartition tp = log.topicPartition();
        if (outcome.cleanedTo() < 0) {
            return Optional.empty();
        }
        store.putCleanerCheckpoint(tp, outcome.cleanedTo());
        store.commit();
        if (outcome.earliestTombstoneHorizon() == Long.MAX_VALUE) {
            tombstoneHorizons.remove(tp);
        } else {
            tombstoneHorizons.put(tp, outcome.earliestTombstoneHorizon());
        }
        CleanResult result = new CleanResult(
                tp,
                outcome.cleanedTo(),
                bytesBefore,
                log.sizeInBytes(),
                segments.size(),
                log.numberOfSegments(),
                outcome.keys());
        LOG.info(
                "{}: compacted to offset {}: {} -> {} bytes, {} -> {} segments, {} keys mapped",
                tp,
                result.cleanedTo(),
                result.bytesBefore(),
                result.bytesAfter(),
                result.segmentsBefore(),
                result.segmentsAfter(),
                result.keys());
        return Optional.of(result);
    }

    private void scheduleDeletion(List<LogSegment> retired, long delay) {
        pendingDeletion.addAll(retired);
        if (delay <= 0) {
            deleteRetired(retired);
            return;
        }
        try {
            scheduler.schedule(() -> deleteRetired(retired), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The broker is shutting down; close() deletes what is still pending.
        }
    }

    private void deleteRetired(List<LogSegment> retired) {
        for (LogSegment segment : retired) {
            if (pendingDeletion.remove(segment)) {
                try {
                    segment.deleteRetired();
                } catch (IOException e) {
                    // Harmless to leave: the next start deletes every .deleted file (SegmentSwap.recover).
                    LOG.warn("Deleting the replaced segment {} failed; it goes at the next start", segment, e);
                }
            }
        }
    }

    /** Stops the thread between chunks, waits for it, then deletes the replaced segments still pending. */
    @Override
    public void close() {
        stopped = true;
        if (thread != null) {
            thread.shutdown();
            try {
                if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                    LOG.warn("The log cleaner did not stop within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteRetired(List.copyOf(pendingDeletion));
    }
}
