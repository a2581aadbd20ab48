package dev.skein.broker.log;

import dev.skein.broker.txn.CorruptSnapshotException;
import dev.skein.broker.txn.ProducerStateManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a partition's segments back to a consistent state when the log is opened.
 *
 * <p>After an unclean shutdown every segment from the one holding the recovery point on is scanned batch by batch;
 * the log is truncated at the first invalid batch (bad CRC, impossible length, torn write, offsets going backwards),
 * later segments are deleted, and the indexes of scanned segments are rebuilt. Leader epochs stamped on the scanned
 * batches are re-learned. After a clean shutdown only indexes that are missing or fail their sanity check are rebuilt.
 * Producer state is restored from its snapshot and the batches after the snapshot's offset are replayed. Before any
 * of this, a log-cleaner segment swap interrupted by the crash is completed or rolled back ({@link SegmentSwap}).
 *
 * <p>Called from {@link PartitionLog#open} only, before the log is visible to other threads.
 */
final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    private LogRecovery() {}

    /** A partition's state once its directory is recovered: what {@link PartitionLog} starts from. */
    record LoadedLog(
            List<LogSegment> segments,
            LeaderEpochCache epochs,
            ProducerStateManager producers,
            RecoveryResult result,
            long logStartOffset,
            long highWatermark,
            long recoveryPoint,
            List<AbortedTxn> abortedTxns,
            List<long[]> unreplicatedTxns) {}

    /** Opens every segment in {@code dir} (created if absent), recovers them and rebuilds the derived state. */
    static LoadedLog load(
            Path dir,
            TopicPartition tp,
            LogConfig config,
            Time time,
            BrokerStateStore.PartitionState state,
            boolean cleanShutdown)
            throws IOException {
        boolean created = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        if (created) {
            // A new partition directory survives a power loss only once the data directory's entry for it is on disk.
            DirectorySync.fsync(dir.toAbsolutePath().getParent());
        }
        SegmentSwap.recover(dir, tp);
        long now = time.milliseconds();
        List<Long> bases = segmentBaseOffsets(dir);
        List<LogSegment> segments = new ArrayList<>();
        for (int i = 0; i < bases.size(); i++) {
            segments.add(LogSegment.open(dir, bases.get(i), config, now, i == bases.size() - 1));
        }
        if (segments.isEmpty()) {
            segments.add(LogSegment.open(dir, state.logStartOffset().orElse(0L), config, now, true));
            DirectorySync.fsync(dir); // the first segment's directory entry
        }
        long logStart =
                Math.max(state.logStartOffset().orElse(0L), segments.get(0).baseOffset());
        LeaderEpochCache epochs = LeaderEpochCache.fromPairs(state.leaderEpochs());
        long recoveryPoint = state.recoveryPoint().orElse(logStart);
        RecoveryResult result = recoverSegments(tp, segments, recoveryPoint, cleanShutdown, epochs, config);
        long leo = result.logEndOffset();
        logStart = Math.min(logStart, leo);
        epochs.truncateFromEnd(leo);
        epochs.truncateFromStart(logStart);
        ProducerStateManager producers = recoverProducerState(
                tp, time, segments, logStart, leo, state.producerSnapshot(), state.producerSnapshotOffset());
        long hw = Math.max(logStart, Math.min(state.highWatermark().orElse(0L), leo));
        long durable = cleanShutdown ? leo : Math.min(recoveryPoint, leo);
        TransactionRecovery.Rebuilt txns =
                TransactionRecovery.load(dir, tp, time, segments, logStart, hw, cleanShutdown);
        return new LoadedLog(
                segments, epochs, producers, result, logStart, hw, durable, txns.aborted(), txns.unreplicated());
    }

    private static List<Long> segmentBaseOffsets(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d{20}\\.log"))
                    .map(n -> Long.parseLong(n.substring(0, 20)))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Recovers {@code segments} (sorted, non-empty; modified in place) and returns what was done.
     *
     * @param recoveryPoint offset below which the log is known to have been fsynced
     */
    static RecoveryResult recoverSegments(
            TopicPartition tp,
            List<LogSegment> segments,
            long recoveryPoint,
            boolean cleanShutdown,
            LeaderEpochCache epochs,
            LogConfig config)
            throws IOException {
        int interval = config.indexIntervalBytes();
        int firstToScan = cleanShutdown ? segments.size() : LogSegments.floorIndex(segments, recoveryPoint);
        int rebuilt = 0;
        for (int i = 0; i < firstToScan; i++) {
            LogSegment segment = segments.get(i);
            if (segment.indexesMissing() || !indexesSane(segment)) {
                long dropped = segment.recover(batch -> {}, interval);
                rebuilt++;
                if (dropped == 0 && i < segments.size() - 1) {
                    segment.onBecomeInactive();
                }
                if (dropped > 0) {
                    LOG.warn("{}: rebuilding the index of {} also dropped {} invalid bytes", tp, segment, dropped);
                    return finishTruncation(tp, segments, i, dropped, rebuilt, cleanShutdown);
                }
                LOG.info("{}: rebuilt the indexes of {}", tp, segment);
            }
        }
        for (int i = firstToScan; i < segments.size(); i++) {
            LogSegment segment = segments.get(i);
            long dropped =
                    segment.recover(batch -> epochs.assign(batch.partitionLeaderEpoch(), batch.baseOffset()), interval);
            rebuilt++;
            if (dropped > 0) {
                return finishTruncation(tp, segments, i, dropped, rebuilt, cleanShutdown);
            }
            if (i < segments.size() - 1) {
                segment.onBecomeInactive();
            }
        }
        long leo = segments.get(segments.size() - 1).nextOffset();
        if (!cleanShutdown) {
            LOG.info("{}: recovered from unclean shutdown, log end offset {}, nothing truncated", tp, leo);
        }
        return new RecoveryResult(cleanShutdown, 0, 0, rebuilt, leo);
    }

    private static boolean indexesSane(LogSegment segment) {
        try {
            segment.sanityCheckIndexes();
            return true;
        } catch (MappedIndex.CorruptIndexException e) {
            LOG.warn("Rebuilding corrupt index: {}", e.getMessage());
            return false;
        }
    }

    /** Segment {@code i} lost its tail: everything after it goes too. */
    private static RecoveryResult finishTruncation(
            TopicPartition tp, List<LogSegment> segments, int i, long dropped, int rebuilt, boolean clean)
            throws IOException {
        long bytes = dropped;
        int deleted = 0;
        while (segments.size() > i + 1) {
            LogSegment later = segments.remove(segments.size() - 1);
            bytes += later.sizeInBytes();
            later.delete();
            deleted++;
        }
        long leo = segments.get(i).nextOffset();
        LOG.warn(
                "{}: truncated the log at offset {} after finding an invalid batch: dropped {} bytes, {} segments",
                tp,
                leo,
                bytes,
                deleted);
        return new RecoveryResult(clean, bytes, deleted, rebuilt, leo);
    }

    /**
     * Restores the producer state from its snapshot when the snapshot lies within the log, else starts empty, and
     * replays every batch with a producer id from the snapshot's offset to the log end.
     */
    static ProducerStateManager recoverProducerState(
            TopicPartition tp,
            Time time,
            List<LogSegment> segments,
            long logStartOffset,
            long logEndOffset,
            Optional<byte[]> snapshot,
            long snapshotOffset) {
        ProducerStateManager state = null;
        long replayFrom = logStartOffset;
        if (snapshot.isPresent() && snapshotOffset >= logStartOffset && snapshotOffset <= logEndOffset) {
            try {
                state = ProducerStateManager.restore(tp, time, snapshot.get());
                replayFrom = snapshotOffset;
            } catch (CorruptSnapshotException e) {
                LOG.warn("{}: producer state snapshot is unusable, rebuilding from the log: {}", tp, e.getMessage());
            }
        }
        if (state == null) {
            state = new ProducerStateManager(tp, time);
        }
        List<LogSegment> toReplay =
                new ArrayList<>(segments.subList(LogSegments.floorIndex(segments, replayFrom), segments.size()));
        for (LogSegment segment : toReplay) {
            FileRecords.LogOffsetPosition start = segment.translateOffset(replayFrom, 0);
            if (start == null) {
                continue;
            }
            for (FileChannelRecordBatch batch : segment.batchesFrom(start.position)) {
                if (batch.lastOffset() >= replayFrom && batch.hasProducerId()) {
                    state.onAppend(batch);
                }
            }
        }
        return state;
    }
}
