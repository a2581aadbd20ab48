package dev.skein.broker.log;

import dev.skein.broker.txn.BatchCheck;
import dev.skein.broker.txn.ProducerEntry;
import dev.skein.broker.txn.ProducerStateManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;

/**
 * The log of one partition: a directory {@code <topic>-<partition>/} of {@link LogSegment}s, its producer state,
 * leader-epoch history, high watermark and recovery point.
 *
 * <p>Threading: one writer at a time — {@link #append}, {@link #truncateTo} and {@link #deleteOldSegments} are
 * synchronized on the log. Readers ({@link #read}, the offset lookups, the getters) take no lock: they see an
 * immutable segment list and a log end (offset, segment, byte position) that the writer publishes through volatile
 * fields only after the bytes are in the file, so a reader never sees a half-appended batch. {@link #flush} takes a
 * separate flush lock and may run concurrently with appends.
 *
 * <p>Durability: an append is in the OS page cache when {@link #append} returns; it is on disk once a {@link #flush}
 * started after it returns (see {@link #awaitDurable} for group commit), after which the recovery point covers it.
 * {@code flush.messages} and {@code flush.ms} trigger flushes as in Kafka.
 */
public final class PartitionLog {
    private final TopicPartition topicPartition;
    private final Path dir;
    private final Time time;
    private final GroupCommitFlusher flusher;
    private final BrokerStateStore store;
    private final LeaderEpochCache epochs;
    private final ProducerStateManager producers;
    private final RecoveryResult recoveryResult;
    private final Object flushLock = new Object();
    private volatile LogConfig config;
    private volatile List<LogSegment> segments;
    private volatile LogEnd logEnd;
    private volatile long logStartOffset;
    private volatile long highWatermark;
    private volatile long recoveryPoint;
    /**
     * Set when an fsync failed: the OS may have dropped the dirty pages it could not write, so what reads back may
     * not be on disk. As Kafka takes the log directory offline, the log then refuses appends, reads and truncation
     * with {@link KafkaStorageException} until the broker restarts and recovers it from what is really on disk.
     */
    private volatile KafkaStorageException offline;
    /** Offset below which the record bytes are on disk (>= recoveryPoint): what durable acks wait for. */
    private volatile long durableOffset;

    private volatile long lastFlushMs;
    /** Set by {@link #close} and {@link #deleteFiles} (under the log lock); appends are refused afterwards. */
    private boolean closed;

    /** The published end of the log: its offset, the active segment and the byte position of that offset in it. */
    private record LogEnd(long offset, LogSegment segment, int position) {}

    public record AppendResult(
            long firstOffset, long lastOffset, long logAppendTime, long logStartOffset, boolean duplicate) {}

    public record FetchSlice(Records records, long firstOffset) {}

    public record EpochEndOffset(int epoch, long endOffset) {}

    private PartitionLog(
            TopicPartition topicPartition,
            Path dir,
            Time time,
            GroupCommitFlusher flusher,
            BrokerStateStore store,
            LogConfig config,
            LogRecovery.LoadedLog loaded) {
        this.topicPartition = topicPartition;
        this.dir = dir;
        this.time = time;
        this.flusher = flusher;
        this.store = store;
        this.config = config;
        this.segments = List.copyOf(loaded.segments());
        this.epochs = loaded.epochs();
        this.producers = loaded.producers();
        this.recoveryResult = loaded.result();
        this.logStartOffset = loaded.logStartOffset();
        this.highWatermark = loaded.highWatermark();
        this.recoveryPoint = loaded.recoveryPoint();
        this.durableOffset = loaded.recoveryPoint();
        this.lastFlushMs = time.milliseconds();
        LogSegment active = segments.get(segments.size() - 1);
        this.logEnd = new LogEnd(active.nextOffset(), active, active.sizeInBytes());
    }

    /** Directory name of a partition: {@code <topic>-<partition>}. */
    static String dirName(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * Opens the partition directory under {@code dataDir}, creating it if absent, and recovers it (see
     * {@link LogRecovery}) using the state persisted in {@code store}.
     */
    static PartitionLog open(
            Path dataDir,
            TopicPartition tp,
            LogConfig config,
            Time time,
            BrokerStateStore store,
            GroupCommitFlusher flusher,
            boolean cleanShutdown)
            throws IOException {
        Path dir = dataDir.resolve(dirName(tp));
        LogRecovery.LoadedLog loaded = LogRecovery.load(dir, tp, config, time, store.load(tp), cleanShutdown);
        return new PartitionLog(tp, dir, time, flusher, store, config, loaded);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public LogConfig config() {
        return config;
    }

    void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    /**
     * Forgets idempotent producers whose last write is {@code expirationMs} old or more and that have no open
     * transaction ({@code producer.id.expiration.ms}); returns how many were forgotten.
     */
    public synchronized int removeExpiredProducers(long expirationMs) {
        return producers.removeExpiredProducers(expirationMs);
    }

    /** A copy of this partition's state for {@code producerId}, if it has any. */
    public synchronized Optional<ProducerEntry> producerEntry(long producerId) {
        return producers.entry(producerId);
    }

    /** What opening this log had to repair. */
    public RecoveryResult recoveryResult() {
        return recoveryResult;
    }

    /**
     * Validates a producer's records for this partition as Kafka does and stricter (see {@link AppendValidator}),
     * then appends them like {@link #append}. Nothing is written when validation fails.
     *
     * @throws org.apache.kafka.common.errors.ApiException with the error code the producer gets
     */
    public synchronized AppendResult appendFromClient(MemoryRecords records, int leaderEpoch) {
        ensureOpen();
        checkOnline();
        LogConfig cfg = config;
        long now = time.milliseconds();
        MutableRecordBatch batch = AppendValidator.validateClientBatch(records, cfg, now);
        return appendValidated(records, List.of(batch), leaderEpoch, cfg, now);
    }

    /**
     * Validates the structure of batches the broker wrote itself (the group coordinator's records) and appends them as
     * one write: offsets are assigned by rewriting each batch's base offset, the leader epoch is stamped, and for
     * LogAppendTime topics the max timestamp is set to now. A batch that repeats a recent batch of the same idempotent
     * producer appends nothing and returns the original offsets with {@code duplicate = true}.
     */
    public synchronized AppendResult append(MemoryRecords records, int leaderEpoch) {
        ensureOpen();
        checkOnline();
        LogConfig cfg = config;
        AppendValidator.ValidBatches valid = AppendValidator.validate(records, cfg.maxMessageBytes());
        return appendValidated(records, valid.batches(), leaderEpoch, cfg, time.milliseconds());
    }

    private AppendResult appendValidated(
            MemoryRecords records, List<MutableRecordBatch> batches, int leaderEpoch, LogConfig cfg, long now) {
        long firstOffset = logEnd.offset();
        try {
            long next = firstOffset;
            for (MutableRecordBatch batch : batches) {
                if (batch.hasProducerId()) {
                    BatchCheck check = producers.check(batch);
                    if (check instanceof BatchCheck.Duplicate dup) {
                        if (batches.size() != 1) {
                            throw new InvalidRecordException("A duplicate batch must be sent alone");
                        }
                        return duplicateResult(dup, cfg);
                    }
                }
                long lastOffsetDelta = batch.lastOffset() - batch.baseOffset();
                batch.setLastOffset(next + lastOffsetDelta);
                if (leaderEpoch >= 0) {
                    batch.setPartitionLeaderEpoch(leaderEpoch);
                }
                if (cfg.logAppendTime()) {
                    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
                }
                if (batch.hasProducerId()) {
                    producers.onAppend(batch);
                }
                next = batch.nextOffset();
            }
            write(records, firstOffset, next, cfg, now);
            if (leaderEpoch >= 0) {
                epochs.assign(leaderEpoch, firstOffset);
            }
            maybeFlushByCount(cfg);
            return new AppendResult(
                    firstOffset, next - 1, cfg.logAppendTime() ? now : RecordBatch.NO_TIMESTAMP, logStartOffset, false);
        } catch (RuntimeException e) {
            producers.truncateFrom(firstOffset);
            throw e;
        }
    }

    /**
     * Appends batches fetched from the leader as they are: offsets, leader epochs and timestamps are kept. Each batch
     * is validated like a produce batch and must start at or after the current log end, in increasing order.
     */
    public synchronized AppendResult appendAsFollower(MemoryRecords records) {
        ensureOpen();
        checkOnline();
        LogConfig cfg = config;
        List<MutableRecordBatch> batches =
                AppendValidator.validate(records, Integer.MAX_VALUE).batches();
        long firstOffset = batches.get(0).baseOffset();
        long next = logEnd.offset();
        for (MutableRecordBatch batch : batches) {
            if (batch.baseOffset() < next) {
                throw new InvalidRecordException("Replicated batch at offset " + batch.baseOffset()
                        + " is below the expected offset " + next + " of " + topicPartition);
            }
            next = batch.nextOffset();
        }
        write(records, firstOffset, next, cfg, time.milliseconds());
        for (MutableRecordBatch batch : batches) {
            epochs.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
            if (batch.hasProducerId()) {
                producers.onAppend(batch);
            }
        }
        maybeFlushByCount(cfg);
        return new AppendResult(firstOffset, next - 1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
    }

    private AppendResult duplicateResult(BatchCheck.Duplicate dup, LogConfig cfg) {
        long appendTime = cfg.logAppendTime() ? dup.timestamp() : RecordBatch.NO_TIMESTAMP;
        return new AppendResult(dup.firstOffset(), dup.lastOffset(), appendTime, logStartOffset, true);
    }

    private void write(MemoryRecords records, long firstOffset, long nextOffset, LogConfig cfg, long now) {
        try {
            LogSegment active = maybeRoll(records.sizeInBytes(), nextOffset - 1, cfg, now);
            active.append(records, cfg.indexIntervalBytes());
            logEnd = new LogEnd(nextOffset, active, active.sizeInBytes());
        } catch (IOException e) {
            // Nothing was appended: the segment cut itself back to its previous end, so the next append cannot
            // publish these bytes (see LogSegment#append); the client may retry.
            throw new KafkaStorageException(
                    "Append to " + topicPartition + " at offset " + firstOffset + " failed: " + e.getMessage(), e);
        }
    }

    private LogSegment maybeRoll(int appendBytes, long lastOffset, LogConfig cfg, long now) throws IOException {
        LogEnd end = logEnd;
        LogSegment active = end.segment();
        boolean nonEmpty = active.sizeInBytes() > 0;
        boolean roll = nonEmpty
                && ((long) active.sizeInBytes() + appendBytes > cfg.segmentBytes()
                        || now - active.createdMs() >= cfg.segmentMs()
                        || active.indexesFull()
                        || !active.canHoldOffset(lastOffset));
        if (!roll) {
            return active;
        }
        active.onBecomeInactive();
        LogSegment.deleteIndexes(dir, end.offset());
        LogSegment next = LogSegment.open(dir, end.offset(), cfg, now, true);
        // The new segment's directory entry must be durable before records acknowledged in it can be.
        DirectorySync.fsync(dir);
        List<LogSegment> list = new ArrayList<>(segments);
        list.add(next);
        segments = List.copyOf(list);
        logEnd = new LogEnd(end.offset(), next, 0);
        return next;
    }

    private void maybeFlushByCount(LogConfig cfg) {
        if (logEnd.offset() - recoveryPoint >= cfg.flushMessages()) {
            flush();
        }
    }

    /**
     * Batches from the one containing {@code fetchOffset}: whole batches only, at most {@code maxBytes} in total
     * (but the whole first batch when {@code minOneMessage}), none whose base offset is >= {@code maxOffsetExclusive}.
     *
     * <p>Returns a slice of one segment (the caller reads on from the next offset); the slice stays valid until
     * retention or truncation deletes that segment.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or above the log end
     */
    public FetchSlice read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
        checkOnline();
        LogEnd end = logEnd;
        List<LogSegment> segs = segments;
        long start = logStartOffset;
        if (fetchOffset < start || fetchOffset > end.offset()) {
            throw new OffsetOutOfRangeException("Offset " + fetchOffset + " is out of range [" + start + ", "
                    + end.offset() + "] of " + topicPartition);
        }
        long limitOffset = Math.min(maxOffsetExclusive, end.offset());
        if (fetchOffset >= limitOffset) {
            return new FetchSlice(MemoryRecords.EMPTY, fetchOffset);
        }
        for (int i = LogRecovery.floorIndex(segs, fetchOffset); i < segs.size(); i++) {
            LogSegment segment = segs.get(i);
            int maxPosition = maxPosition(segment, segs, i, end, limitOffset);
            LogSegment.FetchRange range = segment.read(fetchOffset, maxBytes, maxPosition, minOneMessage);
            if (range != null) {
                return new FetchSlice(range.records(), range.firstBatchOffset());
            }
        }
        return new FetchSlice(MemoryRecords.EMPTY, fetchOffset);
    }

    /** Byte position in {@code segment} before which every batch starts below {@code limitOffset}. */
    private static int maxPosition(LogSegment segment, List<LogSegment> segs, int i, LogEnd end, long limitOffset) {
        int max = segment == end.segment() ? end.position() : segment.sizeInBytes();
        boolean limitInside = i + 1 >= segs.size() || segs.get(i + 1).baseOffset() > limitOffset;
        if (limitInside && limitOffset < end.offset()) {
            FileRecords.LogOffsetPosition pos = segment.translateOffset(limitOffset, 0);
            if (pos != null) {
                max = Math.min(max, pos.offset < limitOffset ? pos.position + pos.size : pos.position);
            }
        }
        return max;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEnd.offset();
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Sets the high watermark, clamped to [log start offset, log end offset]. */
    public void updateHighWatermark(long hw) {
        highWatermark = Math.max(logStartOffset, Math.min(hw, logEnd.offset()));
    }

    long recoveryPoint() {
        return recoveryPoint;
    }

    /** Offset below which the record bytes are known to be on disk; at least {@link #recoveryPoint()}. */
    long durableOffset() {
        return durableOffset;
    }

    /** First offset whose record timestamp is >= {@code timestamp}, with the leader epoch of its batch. */
    public Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        long end = logEnd.offset();
        for (LogSegment segment : segments) {
            if (segment.nextOffset() <= start || segment.maxTimestamp() < timestamp) {
                continue;
            }
            TimestampAndOffset found = segment.findOffsetByTimestamp(timestamp, start);
            if (found != null && found.offset < end) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    /** The offset of the record with the largest timestamp (ListOffsets {@code MAX_TIMESTAMP}), if any record. */
    public Optional<TimestampAndOffset> maxTimestampOffset() {
        LogSegment best = null;
        for (LogSegment segment : segments) {
            if (segment.maxTimestamp() != RecordBatch.NO_TIMESTAMP
                    && (best == null || segment.maxTimestamp() > best.maxTimestamp())) {
                best = segment;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        long offset = best.offsetOfMaxTimestamp();
        int epoch = epochs.epochForOffset(offset);
        return Optional.of(
                new TimestampAndOffset(best.maxTimestamp(), offset, epoch < 0 ? Optional.empty() : Optional.of(epoch)));
    }

    public OptionalInt latestEpoch() {
        return epochs.latestEpoch();
    }

    /** OffsetForLeaderEpoch: the largest epoch <= {@code epoch} and its end offset; {@code (-1, -1)} if unknown. */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochs.endOffsetFor(epoch, logEnd.offset());
    }

    long[] epochPairs() {
        return epochs.toPairs();
    }

    /**
     * Removes every batch from the one containing {@code offset} on, with the epochs and producer state they created.
     * Below the log start the whole log is dropped and restarted at {@code offset}. Durable when it returns, state
     * store included (see {@link #persistTruncation}).
     */
    public synchronized void truncateTo(long offset) {
        checkOnline();
        if (offset >= logEnd.offset()) {
            return;
        }
        synchronized (flushLock) {
            try {
                List<LogSegment> list = new ArrayList<>(segments);
                if (offset <= list.get(0).baseOffset()) {
                    for (LogSegment s : list) {
                        s.delete();
                    }
                    list.clear();
                    LogSegment.deleteIndexes(dir, offset);
                    list.add(LogSegment.open(dir, offset, config, time.milliseconds(), true));
                    logStartOffset = offset;
                } else {
                    while (list.get(list.size() - 1).baseOffset() >= offset) {
                        list.remove(list.size() - 1).delete();
                    }
                    list.get(list.size() - 1).truncateTo(offset);
                }
                LogSegment active = list.get(list.size() - 1);
                segments = List.copyOf(list);
                long leo = active.nextOffset();
                logEnd = new LogEnd(leo, active, active.sizeInBytes());
                epochs.truncateFromEnd(leo);
                producers.truncateFrom(leo);
                highWatermark = Math.min(highWatermark, leo);
                recoveryPoint = Math.min(recoveryPoint, leo);
                durableOffset = Math.min(durableOffset, leo);
                persistTruncation(active);
                TruncationCrashPoint.afterTruncationCommitted(topicPartition, leo);
            } catch (IOException e) {
                throw new UncheckedIOException("Truncating " + topicPartition + " to " + offset + " failed", e);
            }
        }
    }

    /**
     * Makes a truncation durable before anything is appended after it: the cut segment is fsynced (so a crash cannot
     * bring the removed batches back from the page cache's view of the file) and the epochs, producer state and
     * recovery point that went with them are committed to the state store. Otherwise a crash within the commit
     * interval would restore the old producer snapshot and epochs over new records at the same offsets: a retry of
     * a truncated idempotent batch would then be acknowledged as a duplicate that is not in the log.
     */
    private void persistTruncation(LogSegment active) throws IOException {
        active.flush();
        DirectorySync.fsync(dir);
        checkpoint(store);
        store.commit();
    }

    /**
     * Drops the whole log, its epochs and producer state, and starts it empty at {@code offset}: for a follower whose
     * log end is below its leader's log start (the leader deleted what the follower would fetch next).
     */
    public synchronized void restartAt(long offset) {
        synchronized (flushLock) {
            try {
                for (LogSegment s : segments) {
                    s.delete();
                }
                LogSegment.deleteIndexes(dir, offset);
                LogSegment active = LogSegment.open(dir, offset, config, time.milliseconds(), true);
                segments = List.of(active);
                logStartOffset = offset;
                logEnd = new LogEnd(offset, active, active.sizeInBytes());
                epochs.truncateFromEnd(Long.MIN_VALUE);
                producers.truncateFrom(Long.MIN_VALUE);
                highWatermark = offset;
                recoveryPoint = offset;
                durableOffset = offset;
                persistTruncation(active);
            } catch (IOException e) {
                throw new UncheckedIOException("Restarting " + topicPartition + " at " + offset + " failed", e);
            }
        }
    }

    private KafkaStorageException goOffline(String what, IOException cause) {
        KafkaStorageException failure = new KafkaStorageException(
                what + " of " + topicPartition + " failed; the log is offline until the broker restarts: " + cause,
                cause);
        offline = failure;
        return failure;
    }

    private void checkOnline() {
        KafkaStorageException failure = offline;
        if (failure != null) {
            throw new KafkaStorageException(failure.getMessage(), failure);
        }
    }

    /** Whether an fsync of this log failed (see {@link #offline}). */
    public boolean isOffline() {
        return offline != null;
    }

    /** Fsyncs every segment holding data above the recovery point, then advances it to the log end read first. */
    public void flush() {
        synchronized (flushLock) {
            LogEnd end = logEnd;
            List<LogSegment> segs = segments;
            long from = recoveryPoint;
            if (end.offset() <= from) {
                lastFlushMs = time.milliseconds();
                return;
            }
            try {
                for (int i = LogRecovery.floorIndex(segs, from); i < segs.size(); i++) {
                    segs.get(i).flush();
                }
            } catch (IOException e) {
                throw goOffline("fsync", e);
            }
            recoveryPoint = end.offset();
            durableOffset = Math.max(durableOffset, end.offset());
            lastFlushMs = time.milliseconds();
        }
    }

    /**
     * Makes every record up to the log end read first durable at the cost of one {@code fdatasync} of the active
     * segment's {@code .log} file in the common case: segments that became inactive since the recovery point are
     * flushed whole (records and indexes), the active one only its records (see {@link LogSegment#flushRecords}). The
     * recovery point then advances to the active segment's base offset, so after a crash recovery scans (and
     * re-indexes) just the active segment, while everything acknowledged as durable is already on disk.
     */
    void flushForDurability() {
        synchronized (flushLock) {
            LogEnd end = logEnd;
            if (end.offset() <= durableOffset) {
                return;
            }
            List<LogSegment> segs = segments;
            try {
                for (int i = LogRecovery.floorIndex(segs, recoveryPoint); i < segs.size(); i++) {
                    LogSegment segment = segs.get(i);
                    if (segment == end.segment()) {
                        segment.flushRecords();
                    } else {
                        segment.flush();
                    }
                }
            } catch (IOException e) {
                throw goOffline("fsync", e);
            }
            durableOffset = end.offset();
            recoveryPoint = Math.max(recoveryPoint, end.segment().baseOffset());
        }
    }

    /** Flushes when {@code flush.ms} has passed since the last flush and there is unflushed data. */
    void flushIfDue() {
        long flushMs = config.flushMs();
        if (logEnd.offset() > recoveryPoint && time.milliseconds() - lastFlushMs >= flushMs) {
            flush();
        }
    }

    /** Completes once an fsync covers {@code offset} (group commit, see {@link GroupCommitFlusher}). */
    public CompletableFuture<Void> awaitDurable(long offset) {
        return flusher.await(this, offset);
    }

    /**
     * Deletes the oldest non-active segments that are fully below the high watermark and either older than
     * {@code retention.ms} (by their largest record timestamp) or not needed to stay within {@code retention.bytes}.
     * Advances the log start offset to the new first segment. Returns the number of segments deleted.
     */
    public synchronized int deleteOldSegments() {
        LogConfig cfg = config;
        List<LogSegment> list = segments;
        int deletable = RetentionPolicy.deletableSegments(list, cfg, time.milliseconds(), highWatermark);
        if (deletable == 0) {
            return 0;
        }
        synchronized (flushLock) {
            List<LogSegment> doomed = new ArrayList<>(list.subList(0, deletable));
            segments = List.copyOf(list.subList(deletable, list.size()));
            logStartOffset = Math.max(logStartOffset, segments.get(0).baseOffset());
            epochs.truncateFromStart(logStartOffset);
            for (LogSegment s : doomed) {
                try {
                    s.delete();
                } catch (IOException e) {
                    throw new UncheckedIOException("Deleting " + s + " failed", e);
                }
            }
        }
        return deletable;
    }

    /**
     * Moves the log start offset up to {@code offset} (DeleteRecords): records below it are no longer readable and
     * whole segments that lie entirely below it are deleted. The new start is checkpointed with the recovery points.
     * Returns the log start offset afterwards.
     *
     * @throws OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public synchronized long deleteRecordsBefore(long offset) {
        if (offset > highWatermark) {
            throw new OffsetOutOfRangeException("Cannot delete records of " + topicPartition + " before offset "
                    + offset + ": it is above the high watermark " + highWatermark);
        }
        if (offset <= logStartOffset) {
            return logStartOffset;
        }
        synchronized (flushLock) {
            List<LogSegment> list = segments;
            int doomed = 0;
            while (doomed + 1 < list.size() && list.get(doomed + 1).baseOffset() <= offset) {
                doomed++;
            }
            logStartOffset = offset;
            epochs.truncateFromStart(offset);
            if (doomed > 0) {
                segments = List.copyOf(list.subList(doomed, list.size()));
                for (LogSegment s : list.subList(0, doomed)) {
                    try {
                        s.delete();
                    } catch (IOException e) {
                        throw new KafkaStorageException("Deleting " + s + " failed: " + e.getMessage(), e);
                    }
                }
            }
        }
        return logStartOffset;
    }

    /** The published segment list (immutable), oldest first; the last one is the active segment. */
    List<LogSegment> segments() {
        return segments;
    }

    Path dir() {
        return dir;
    }

    /**
     * Replaces {@code old}, a run of consecutive closed segments, by the cleaned segment the {@link LogCleaner} wrote
     * as {@code .cleaned} files at {@code old}'s base offset, following {@link SegmentSwap}. Appends and truncation
     * wait for the few renames this takes; readers do not: they keep using the segment list they read, whose old
     * segments stay readable (renamed, channel open) until the caller passes the returned segments to
     * {@link LogSegment#deleteRetired} after {@code file.delete.delay.ms}.
     *
     * <p>Returns empty, and discards the cleaned files, when the run is no longer in the log as it was (retention or
     * truncation removed part of it while it was being cleaned).
     */
    synchronized Optional<List<LogSegment>> replaceSegments(List<LogSegment> old) throws IOException {
        long base = old.get(0).baseOffset();
        List<LogSegment> current = segments;
        int first = current.indexOf(old.get(0));
        boolean present = first >= 0 && first + old.size() < current.size();
        for (int i = 0; present && i < old.size(); i++) {
            present = current.get(first + i) == old.get(i);
        }
        if (!present) {
            SegmentSwap.discardCleaned(dir, base);
            return Optional.empty();
        }
        synchronized (flushLock) {
            SegmentSwap.commit(dir, base);
            for (LogSegment s : old) {
                s.retire();
            }
            SegmentSwap.install(dir, base);
            LogSegment cleaned = LogSegment.open(dir, base, config, time.milliseconds(), false);
            List<LogSegment> list = new ArrayList<>(current.subList(0, first));
            list.add(cleaned);
            list.addAll(current.subList(first + old.size(), current.size()));
            segments = List.copyOf(list);
        }
        return Optional.of(List.copyOf(old));
    }

    public long sizeInBytes() {
        long size = 0;
        for (LogSegment s : segments) {
            size += s.sizeInBytes();
        }
        return size;
    }

    public int numberOfSegments() {
        return segments.size();
    }

    /** Stages this log's recovery point, high watermark, epochs and producer snapshot in {@code store}. */
    synchronized void checkpoint(BrokerStateStore store) {
        store.put(
                topicPartition,
                recoveryPoint,
                highWatermark,
                logStartOffset,
                epochs.toPairs(),
                producers.snapshot(),
                logEnd.offset());
    }

    /**
     * A request may still hold this log after its partition was deleted or moved and the log closed; appending then
     * would write segments and memory-mapped indexes that are closed (unmapped memory: the JVM crashes).
     */
    private void ensureOpen() {
        if (closed) {
            throw new NotLeaderOrFollowerException("The log of " + topicPartition + " is closed");
        }
    }

    /** Flushes and closes every segment; the log is unusable afterwards (appends are refused). */
    synchronized void close() throws IOException {
        closed = true;
        if (offline == null) {
            // An offline log is not flushed again: the next start recovers it from what is really on disk.
            flush();
        }
        synchronized (flushLock) {
            for (LogSegment s : segments) {
                s.close();
            }
        }
    }

    /** Closes the segments and removes the partition directory. */
    synchronized void deleteFiles() throws IOException {
        closed = true;
        synchronized (flushLock) {
            for (LogSegment s : segments) {
                s.delete();
            }
            try (Stream<Path> rest = Files.list(dir)) {
                for (Path p : rest.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", " + logStartOffset + ".." + logEnd.offset() + ")";
    }
}
