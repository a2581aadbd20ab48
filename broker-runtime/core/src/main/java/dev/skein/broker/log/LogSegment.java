package dev.skein.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.FileRecords.LogOffsetPosition;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * One segment of a partition log: {@code %020d.log} holding v2 record batches exactly as appended (base offset in the
 * name), plus its {@link OffsetIndex} ({@code .index}) and {@link TimeIndex} ({@code .timeindex}).
 *
 * <p>Threading: {@link #append}, {@link #truncateTo}, {@link #recover} and {@link #onBecomeInactive} are called by
 * the partition's single writer. Readers may call {@link #read}, {@link #translateOffset} and the timestamp lookups
 * concurrently; they must bound reads by a position the writer has already published (see {@link PartitionLog}).
 *
 * <p>Durability: nothing is durable until {@link #flush} returns (data, then indexes).
 */
final class LogSegment implements AutoCloseable {
    private final Path dir;
    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final long createdMs;
    private final boolean indexesMissing;
    private int bytesSinceLastIndexEntry;
    private volatile long nextOffset;
    private volatile long maxTimestampSoFar;
    private volatile long offsetOfMaxTimestampSoFar;

    private LogSegment(
            Path dir,
            long baseOffset,
            FileRecords log,
            OffsetIndex offsetIndex,
            TimeIndex timeIndex,
            long createdMs,
            boolean indexesMissing) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.createdMs = createdMs;
        this.indexesMissing = indexesMissing;
        this.nextOffset = baseOffset;
        this.maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        this.offsetOfMaxTimestampSoFar = baseOffset;
    }

    static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d.log", baseOffset));
    }

    static Path offsetIndexFile(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d.index", baseOffset));
    }

    static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d.timeindex", baseOffset));
    }

    static Path withSuffix(Path file, String suffix) {
        return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
    }

    /**
     * Opens (or creates) the segment. {@code active} pre-allocates the indexes for appends. The in-memory next offset
     * and max timestamp are restored from the indexes' last entries and a scan of the log after them; call
     * {@link #recover} or {@link #sanityCheckIndexes} before trusting them after an unclean shutdown.
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, long nowMs, boolean active) throws IOException {
        return open(dir, baseOffset, config, nowMs, active, "");
    }

    /**
     * Opens (or creates) the segment whose three file names carry {@code suffix} after their usual extension, e.g.
     * {@code .cleaned} for a segment the {@link LogCleaner} is writing (see {@link SegmentSwap}).
     */
    static LogSegment open(Path dir, long baseOffset, LogConfig config, long nowMs, boolean active, String suffix)
            throws IOException {
        Path logPath = withSuffix(logFile(dir, baseOffset), suffix);
        Path offsetPath = withSuffix(offsetIndexFile(dir, baseOffset), suffix);
        Path timePath = withSuffix(timeIndexFile(dir, baseOffset), suffix);
        boolean indexesMissing = Files.exists(logPath)
                && Files.size(logPath) > 0
                && (!Files.exists(offsetPath) || !Files.exists(timePath));
        if (suffix.isEmpty() && !Files.exists(logPath)) {
            // A new segment starts with an empty transaction index: a segment without one had it lost (rebuilt).
            TxnIndexFile.write(TxnIndexFile.path(dir, baseOffset), List.of());
        }
        FileRecords records = FileRecords.open(logPath.toFile(), true, Files.exists(logPath), 0, false);
        OffsetIndex offsets = OffsetIndex.open(offsetPath, baseOffset, config.segmentIndexBytes(), active);
        TimeIndex times = TimeIndex.open(timePath, baseOffset, config.segmentIndexBytes(), active);
        LogSegment segment = new LogSegment(dir, baseOffset, records, offsets, times, nowMs, indexesMissing);
        segment.loadTailState();
        return segment;
    }

    /** Restores next offset and max timestamp by scanning the batches after the last index entry. */
    private void loadTailState() {
        long ts = timeIndex.lastTimestamp();
        if (ts > maxTimestampSoFar) {
            maxTimestampSoFar = ts;
            offsetOfMaxTimestampSoFar = timeIndex.lastOffset();
        }
        int start = offsetIndex.lastPosition();
        if (start > log.sizeInBytes()) {
            start = 0;
        }
        try {
            for (FileChannelRecordBatch batch : log.batchesFrom(start)) {
                observe(batch);
            }
        } catch (KafkaException e) {
            // A torn or corrupt tail: recovery (run by the caller when the shutdown was unclean) truncates it.
        }
    }

    private void observe(RecordBatch batch) {
        nextOffset = batch.nextOffset();
        if (batch.maxTimestamp() > maxTimestampSoFar) {
            maxTimestampSoFar = batch.maxTimestamp();
            offsetOfMaxTimestampSoFar = batch.lastOffset();
        }
    }

    long baseOffset() {
        return baseOffset;
    }

    /** Whether an index file was absent when the segment was opened (it must be rebuilt with {@link #recover}). */
    boolean indexesMissing() {
        return indexesMissing;
    }

    /** Offset the next appended batch will get; the base offset while empty. */
    long nextOffset() {
        return nextOffset;
    }

    int sizeInBytes() {
        return log.sizeInBytes();
    }

    long createdMs() {
        return createdMs;
    }

    long maxTimestamp() {
        return maxTimestampSoFar;
    }

    long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestampSoFar;
    }

    boolean indexesFull() {
        return offsetIndex.isFull() || timeIndex.isFull();
    }

    /** Whether {@code offset} can still be expressed as an int relative to this segment's base. */
    boolean canHoldOffset(long offset) {
        return offset - baseOffset <= Integer.MAX_VALUE;
    }

    /**
     * Appends batches whose offsets are final, as one write, and indexes them every {@code indexIntervalBytes}.
     * Returns the byte position at which they start.
     *
     * <p>All or nothing: if the write or the indexing fails (a short write on a full disk, an index page that cannot
     * be written), the segment is cut back to where it ended before — file, index entries and in-memory tail state —
     * so the next append cannot publish the bytes of the failed one, and an {@link IOException} is thrown.
     */
    int append(MemoryRecords records, int indexIntervalBytes) throws IOException {
        int position = log.sizeInBytes();
        long previousNext = nextOffset;
        long previousMaxTimestamp = maxTimestampSoFar;
        long previousOffsetOfMax = offsetOfMaxTimestampSoFar;
        int previousBytesSinceIndex = bytesSinceLastIndexEntry;
        try {
            log.append(records);
            int batchPosition = position;
            for (RecordBatch batch : records.batches()) {
                indexBatch(batch, batchPosition, indexIntervalBytes);
                batchPosition += batch.sizeInBytes();
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: a fault (SIGBUS) writing a memory-mapped index page, e.g. on a full disk.
            log.truncateTo(position);
            nextOffset = previousNext;
            maxTimestampSoFar = previousMaxTimestamp;
            offsetOfMaxTimestampSoFar = previousOffsetOfMax;
            bytesSinceLastIndexEntry = previousBytesSinceIndex;
            IOException failure = e instanceof IOException io
                    ? io
                    : new IOException("Indexing the append failed; it was rolled back: " + e, e);
            try {
                offsetIndex.truncateToOffset(previousNext);
                timeIndex.truncateToOffset(previousNext);
            } catch (RuntimeException | InternalError indexFailure) {
                // Entries past the log end are dropped by the index sanity check of the next recovery.
                failure.addSuppressed(indexFailure);
            }
            throw failure;
        }
        return position;
    }

    private void indexBatch(RecordBatch batch, int position, int indexIntervalBytes) {
        if (batch.maxTimestamp() > maxTimestampSoFar) {
            maxTimestampSoFar = batch.maxTimestamp();
            offsetOfMaxTimestampSoFar = batch.lastOffset();
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes && !indexesFull()) {
            offsetIndex.append(batch.lastOffset(), position);
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batch.sizeInBytes();
        nextOffset = batch.nextOffset();
    }

    /** The batch containing {@code offset} or the first one after it, searching from {@code startingPosition}. */
    LogOffsetPosition translateOffset(long offset, int startingPosition) {
        int from = Math.max(startingPosition, offsetIndex.lookup(offset));
        return log.searchForOffsetFromPosition(offset, from);
    }

    /**
     * Whole batches from the one containing {@code startOffset}, ending before {@code maxPosition}, at most
     * {@code maxBytes} in total unless {@code minOneMessage} and the first batch alone is larger. Null when no batch
     * at or after {@code startOffset} starts before {@code maxPosition}. The range's {@code endOffset} is the base
     * offset of the first batch left out, or {@link Long#MAX_VALUE} when every batch before {@code maxPosition} is in
     * it (the caller bounds it by what {@code maxPosition} stands for).
     */
    FetchRange read(long startOffset, int maxBytes, int maxPosition, boolean minOneMessage) {
        LogOffsetPosition start = translateOffset(startOffset, 0);
        if (start == null || start.position >= maxPosition) {
            return null;
        }
        int available = maxPosition - start.position;
        if (available <= maxBytes) {
            return new FetchRange(log.slice(start.position, available), start.offset, Long.MAX_VALUE);
        }
        int length = 0;
        long endOffset = Long.MAX_VALUE;
        for (FileChannelRecordBatch batch : log.batchesFrom(start.position)) {
            int size = batch.sizeInBytes();
            if (length + size > maxBytes || batch.position() + size > maxPosition) {
                if (length == 0 && minOneMessage) {
                    // The first batch alone is over maxBytes: it is returned whole (only its header is read here).
                    return new FetchRange(
                            log.slice(start.position, Math.min(size, available)), start.offset, batch.nextOffset());
                }
                endOffset = batch.baseOffset();
                break;
            }
            length += size;
        }
        if (length == 0) {
            return new FetchRange(MemoryRecords.EMPTY, start.offset, start.offset);
        }
        return new FetchRange(log.slice(start.position, length), start.offset, endOffset);
    }

    /**
     * A slice of this segment, the base offset of its first batch, and an exclusive bound on the offsets it holds
     * (see {@link #read}).
     */
    record FetchRange(Records records, long firstBatchOffset, long endOffset) {}

    /** First record at or after {@code startingOffset} whose timestamp is >= {@code timestamp}, or null. */
    TimestampAndOffset findOffsetByTimestamp(long timestamp, long startingOffset) {
        if (maxTimestampSoFar < timestamp) {
            return null;
        }
        long fromOffset = timeIndex.lookup(timestamp);
        int position = offsetIndex.lookup(Math.max(fromOffset, startingOffset));
        return log.searchForTimestamp(timestamp, position, startingOffset, Records.SOFT_MAX_ARRAY_LENGTH);
    }

    /** Fills the buffer's remaining space with the bytes from {@code position}, then flips it for reading. */
    void readInto(ByteBuffer buffer, int position) throws IOException {
        log.readInto(buffer, position);
    }

    /** Batches from {@code position}, which must be the start of a batch. */
    Iterable<FileChannelRecordBatch> batchesFrom(int position) {
        return log.batchesFrom(position);
    }

    /** Partition leader epoch stamped on the batch containing {@code offset}, or -1. */
    int leaderEpochAt(long offset) {
        LogOffsetPosition pos = translateOffset(offset, 0);
        if (pos == null) {
            return RecordBatch.NO_PARTITION_LEADER_EPOCH;
        }
        for (FileChannelRecordBatch batch : log.batchesFrom(pos.position)) {
            return batch.partitionLeaderEpoch();
        }
        return RecordBatch.NO_PARTITION_LEADER_EPOCH;
    }

    /**
     * Rebuilds both indexes by scanning every batch, truncating the log at the first one that is invalid (bad CRC,
     * impossible length, offsets going backwards, torn write). Returns the number of bytes dropped.
     */
    int recover(BatchVisitor visitor, int indexIntervalBytes) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        offsetIndex.makeWritable();
        timeIndex.makeWritable();
        bytesSinceLastIndexEntry = 0;
        nextOffset = baseOffset;
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        int validBytes = 0;
        try {
            for (FileChannelRecordBatch batch : log.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2 || batch.baseOffset() < nextOffset) {
                    break;
                }
                batch.ensureValid();
                if (batch.lastOffset() < batch.baseOffset() || !canHoldOffset(batch.lastOffset())) {
                    break;
                }
                indexBatch(batch, validBytes, indexIntervalBytes);
                visitor.visit(batch);
                validBytes += batch.sizeInBytes();
            }
        } catch (KafkaException e) {
            // The first invalid batch ends the valid prefix; everything from it on is dropped below.
        }
        int truncated = log.sizeInBytes() - validBytes;
        if (truncated > 0) {
            log.truncateTo(validBytes);
        }
        return truncated;
    }

    /** Called for each valid batch during {@link #recover}, in log order. */
    @FunctionalInterface
    interface BatchVisitor {
        void visit(RecordBatch batch);
    }

    /** Throws {@link MappedIndex.CorruptIndexException} when an index does not fit the log. */
    void sanityCheckIndexes() {
        offsetIndex.sanityCheck(nextOffset);
        timeIndex.sanityCheck(nextOffset);
        if (offsetIndex.lastPosition() > log.sizeInBytes()) {
            throw new MappedIndex.CorruptIndexException(offsetIndex.file() + " points past the end of the log");
        }
    }

    /** Removes every batch from the one containing {@code offset} on. Returns the bytes removed. */
    int truncateTo(long offset) throws IOException {
        // Whatever is truncated, this segment becomes the active one again and must take appends.
        offsetIndex.makeWritable();
        timeIndex.makeWritable();
        LogOffsetPosition pos = translateOffset(offset, 0);
        if (pos == null) {
            return 0;
        }
        offsetIndex.truncateToOffset(pos.offset);
        timeIndex.truncateToOffset(pos.offset);
        int removed = log.truncateTo(pos.position);
        bytesSinceLastIndexEntry = 0;
        nextOffset = baseOffset;
        maxTimestampSoFar = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestampSoFar = baseOffset;
        loadTailState();
        if (log.sizeInBytes() == 0) {
            nextOffset = baseOffset;
        }
        return removed;
    }

    /** On roll: records the final max timestamp and shrinks the index files to their entries. */
    void onBecomeInactive() throws IOException {
        if (maxTimestampSoFar != RecordBatch.NO_TIMESTAMP) {
            timeIndex.maybeAppend(maxTimestampSoFar, offsetOfMaxTimestampSoFar);
        }
        offsetIndex.trim();
        timeIndex.trim();
    }

    void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
        TxnIndexFile.force(TxnIndexFile.path(dir, baseOffset));
    }

    /**
     * Makes the record bytes durable without the indexes: {@code fdatasync} of the {@code .log} file only (file data
     * and the size needed to read it back, not timestamps). The indexes need no sync for a segment that recovery scans,
     * because the scan rebuilds them from the log.
     */
    void flushRecords() throws IOException {
        log.channel().force(false);
    }

    @Override
    public void close() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        log.close();
    }

    /** Closes and removes the segment's files (log, indexes, transaction index). */
    void delete() throws IOException {
        offsetIndex.deleteFile();
        timeIndex.deleteFile();
        Files.deleteIfExists(TxnIndexFile.path(dir, baseOffset));
        log.deleteIfExists();
    }

    /**
     * Takes a segment out of service after a {@link SegmentSwap} replaced it, without disturbing readers that still
     * hold it: the index files are deleted (a racing lookup sees an empty index and scans the log from its start) and
     * the log file is renamed to {@code .log.deleted}, its channel left open so that in-flight reads and zero-copy
     * sends of slices still work. {@link #deleteRetired} later closes and removes it.
     */
    void retire() throws IOException {
        offsetIndex.deleteFile();
        timeIndex.deleteFile();
        Files.deleteIfExists(TxnIndexFile.path(dir, baseOffset));
        log.renameTo(
                withSuffix(logFile(dir, baseOffset), SegmentSwap.DELETED_SUFFIX).toFile());
    }

    /** Closes a {@link #retire retired} segment's log channel and removes its file. */
    void deleteRetired() throws IOException {
        log.deleteIfExists();
    }

    /** Deletes both index files so that the next open starts from empty ones (followed by {@link #recover}). */
    static void deleteIndexes(Path dir, long baseOffset) throws IOException {
        Files.deleteIfExists(offsetIndexFile(dir, baseOffset));
        Files.deleteIfExists(timeIndexFile(dir, baseOffset));
    }

    @Override
    public String toString() {
        return "LogSegment(" + dir.getFileName() + "/" + baseOffset + ", size=" + log.sizeInBytes() + ")";
    }
}
