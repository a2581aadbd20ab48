package dev.skein.broker.log;

import dev.skein.broker.log.PartitionLog.FetchSlice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;

/**
 * The bytes of one partition on this broker (Kafka's {@code LocalLog}): its {@link LogSegments} in the directory
 * {@code <topic>-<partition>/}, the published log end and the log start offset. It writes, rolls, reads, truncates and
 * deletes segments; it knows nothing of producers, leader epochs, the high watermark or flushing, which
 * {@link PartitionLog} layers on top.
 *
 * <p>Threading: the mutators ({@link #write}, the truncations, the deletions, {@link #replaceSegments},
 * {@link #closeSegments}, {@link #deleteDirectory}) are called by {@link PartitionLog} holding its monitor (the one
 * writer), and every mutator except {@link #write} also holding the flush lock of {@link LogDurability}, so no fsync
 * runs over a segment being deleted or swapped. Readers take no lock: they see an immutable segment list and a log end
 * (offset, segment, byte position) that the writer publishes through volatile fields only after the bytes are in the
 * file, so a reader never sees a half-appended batch.
 */
final class LocalLog {
    private final TopicPartition topicPartition;
    private final Path dir;
    private final Time time;
    private final LogSegments segments;
    private volatile LogEnd logEnd;
    private volatile long logStartOffset;
    /**
     * The last limit {@link #bytesAvailable} located (usually the high watermark), cached for the next caller; cleared
     * whenever segments go, so it never points into a segment that left the log.
     */
    private volatile LogPosition limitPosition;

    /** The published end of the log: its offset, the active segment and the byte position of that offset in it. */
    record LogEnd(long offset, LogSegment segment, int position) {}

    LocalLog(TopicPartition topicPartition, Path dir, Time time, List<LogSegment> loaded, long logStartOffset) {
        this.topicPartition = topicPartition;
        this.dir = dir;
        this.time = time;
        this.segments = new LogSegments(loaded);
        this.logStartOffset = logStartOffset;
        LogSegment active = loaded.get(loaded.size() - 1);
        this.logEnd = new LogEnd(active.nextOffset(), active, active.sizeInBytes());
    }

    Path dir() {
        return dir;
    }

    LogSegments segments() {
        return segments;
    }

    LogEnd end() {
        return logEnd;
    }

    long logEndOffset() {
        return logEnd.offset();
    }

    long logStartOffset() {
        return logStartOffset;
    }

    /** Writes validated batches that take offsets {@code [firstOffset, nextOffset)}, rolling first if needed. */
    void write(MemoryRecords records, long firstOffset, long nextOffset, LogConfig cfg, long now) {
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
        segments.add(next);
        logEnd = new LogEnd(end.offset(), next, 0);
        return next;
    }

    /** See {@link PartitionLog#read}. */
    FetchSlice read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
        LogEnd end = logEnd;
        List<LogSegment> segs = segments.list();
        long start = logStartOffset;
        if (fetchOffset < start || fetchOffset > end.offset()) {
            throw new OffsetOutOfRangeException("Offset " + fetchOffset + " is out of range [" + start + ", "
                    + end.offset() + "] of " + topicPartition);
        }
        long limitOffset = Math.min(maxOffsetExclusive, end.offset());
        if (fetchOffset >= limitOffset) {
            return new FetchSlice(MemoryRecords.EMPTY, fetchOffset, fetchOffset);
        }
        for (int i = LogSegments.floorIndex(segs, fetchOffset); i < segs.size(); i++) {
            LogSegment segment = segs.get(i);
            int maxPosition = maxPosition(segment, segs, i, end, limitOffset);
            LogSegment.FetchRange range = segment.read(fetchOffset, maxBytes, maxPosition, minOneMessage);
            if (range != null) {
                // Batches below maxPosition start below limitOffset and end within the segment.
                long endOffset = Math.min(range.endOffset(), Math.min(limitOffset, segment.nextOffset()));
                return new FetchSlice(range.records(), range.firstBatchOffset(), endOffset);
            }
        }
        return new FetchSlice(MemoryRecords.EMPTY, fetchOffset, fetchOffset);
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

    /**
     * Where the batch holding {@code offset} starts (the log end itself: where the next batch goes), found through the
     * offset index and batch headers: no record is read. Null when {@code offset} is outside the log.
     */
    LogPosition positionOf(long offset) {
        LogEnd end = logEnd;
        if (offset == end.offset()) {
            return new LogPosition(offset, end.segment(), end.position());
        }
        if (offset < logStartOffset || offset > end.offset()) {
            return null;
        }
        List<LogSegment> segs = segments.list();
        for (int i = LogSegments.floorIndex(segs, offset); i < segs.size(); i++) {
            LogSegment segment = segs.get(i);
            FileRecords.LogOffsetPosition found = segment.translateOffset(offset, 0);
            if (found != null) {
                return new LogPosition(offset, segment, found.position);
            }
        }
        return null;
    }

    /** See {@link PartitionLog#bytesAvailable}. */
    long bytesAvailable(LogPosition from, long toOffset) {
        if (toOffset <= from.offset()) {
            return 0;
        }
        LogPosition to = limitPosition;
        if (to == null || to.offset() != toOffset) {
            to = positionOf(toOffset);
            if (to == null) {
                return Long.MAX_VALUE;
            }
            limitPosition = to; // one index lookup per distinct limit, shared by every parked fetch
        }
        return bytesBetween(from, to);
    }

    /**
     * Bytes of the log from {@code from} up to {@code to}, from segment sizes and the two positions only; or
     * {@link Long#MAX_VALUE} when {@code from}'s segment has left the log (retention, truncation, a cleaner swap), so a
     * waiting fetch goes and reads what is there now.
     */
    private long bytesBetween(LogPosition from, LogPosition to) {
        if (to.offset() <= from.offset()) {
            return 0;
        }
        if (from.segment() == to.segment()) {
            return Math.max(0, to.position() - from.position());
        }
        List<LogSegment> segs = segments.list();
        int i = LogSegments.floorIndex(segs, from.segment().baseOffset());
        if (segs.get(i) != from.segment()) {
            return Long.MAX_VALUE;
        }
        long bytes = from.segment().sizeInBytes() - (long) from.position();
        for (i++; i < segs.size() && segs.get(i) != to.segment(); i++) {
            bytes += segs.get(i).sizeInBytes();
        }
        return bytes + to.position();
    }

    /** See {@link PartitionLog#offsetForTimestamp}. */
    Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        long end = logEnd.offset();
        for (LogSegment segment : segments.list()) {
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

    /**
     * Removes every batch from the one containing {@code offset} on; below the first segment the whole log is dropped
     * and restarted empty at {@code offset}. Returns the new active segment (not yet fsynced).
     */
    LogSegment truncateTo(long offset, LogConfig config) throws IOException {
        limitPosition = null;
        List<LogSegment> list = new ArrayList<>(segments.list());
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
        segments.publish(list);
        long leo = active.nextOffset();
        logEnd = new LogEnd(leo, active, active.sizeInBytes());
        return active;
    }

    /** Deletes every segment and starts the log empty at {@code offset}; returns the new (empty) active segment. */
    LogSegment restartAt(long offset, LogConfig config) throws IOException {
        limitPosition = null;
        for (LogSegment s : segments.list()) {
            s.delete();
        }
        LogSegment.deleteIndexes(dir, offset);
        LogSegment active = LogSegment.open(dir, offset, config, time.milliseconds(), true);
        segments.publish(List.of(active));
        logStartOffset = offset;
        logEnd = new LogEnd(offset, active, active.sizeInBytes());
        return active;
    }

    /**
     * Retention: unpublishes the {@code count} oldest segments, moves the log start up to the new first segment, tells
     * {@code newLogStart} (the leader-epoch cache follows) and then deletes the segments' files.
     */
    void deleteOldest(int count, LongConsumer newLogStart) {
        limitPosition = null;
        List<LogSegment> list = segments.list();
        List<LogSegment> doomed = new ArrayList<>(list.subList(0, count));
        segments.publish(list.subList(count, list.size()));
        logStartOffset = Math.max(logStartOffset, segments.list().get(0).baseOffset());
        newLogStart.accept(logStartOffset);
        for (LogSegment s : doomed) {
            try {
                s.delete();
            } catch (IOException e) {
                throw new UncheckedIOException("Deleting " + s + " failed", e);
            }
        }
    }

    /**
     * DeleteRecords: moves the log start up to {@code offset} (the caller checked it lies within the log), tells
     * {@code newLogStart}, and deletes the leading segments that now lie entirely below it.
     */
    void deleteRecordsBefore(long offset, LongConsumer newLogStart) {
        limitPosition = null;
        List<LogSegment> list = segments.list();
        int doomed = 0;
        while (doomed + 1 < list.size() && list.get(doomed + 1).baseOffset() <= offset) {
            doomed++;
        }
        logStartOffset = offset;
        newLogStart.accept(offset);
        if (doomed > 0) {
            segments.publish(list.subList(doomed, list.size()));
            for (LogSegment s : list.subList(0, doomed)) {
                try {
                    s.delete();
                } catch (IOException e) {
                    throw new KafkaStorageException("Deleting " + s + " failed: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Whether {@code old} is still a run of consecutive closed segments of the log: returns its index in the list, or
     * -1 when retention or truncation removed part of it meanwhile.
     */
    int indexOfRun(List<LogSegment> old) {
        List<LogSegment> current = segments.list();
        int first = current.indexOf(old.get(0));
        boolean present = first >= 0 && first + old.size() < current.size();
        for (int i = 0; present && i < old.size(); i++) {
            present = current.get(first + i) == old.get(i);
        }
        return present ? first : -1;
    }

    /** Swaps the run {@code old} at index {@code first} for the cleaned segment (see {@link SegmentSwap}). */
    void replaceSegments(List<LogSegment> old, int first, LogConfig config) throws IOException {
        limitPosition = null;
        long base = old.get(0).baseOffset();
        List<LogSegment> current = segments.list();
        SegmentSwap.commit(dir, base);
        for (LogSegment s : old) {
            s.retire();
        }
        SegmentSwap.install(dir, base);
        LogSegment cleaned = LogSegment.open(dir, base, config, time.milliseconds(), false);
        List<LogSegment> list = new ArrayList<>(current.subList(0, first));
        list.add(cleaned);
        list.addAll(current.subList(first + old.size(), current.size()));
        segments.publish(list);
    }

    void closeSegments() throws IOException {
        for (LogSegment s : segments.list()) {
            s.close();
        }
    }

    /** Deletes every segment, whatever else is in the directory, and the directory. */
    void deleteDirectory() throws IOException {
        for (LogSegment s : segments.list()) {
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
