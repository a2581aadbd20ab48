package dev.skein.broker.log;

import dev.skein.broker.txn.ProducerEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * One compaction of one log: maps the dirty section's keys to their latest offsets, then rewrites every cleanable
 * segment from the log start through the mapped section, run by run, each run into one cleaned segment that replaces
 * it through {@link PartitionLog#replaceSegments}.
 *
 * <p>Runs are consecutive segments whose total size fits {@code segment.bytes} (and whose offsets fit a segment's
 * relative offsets), so the cleaned segments are never larger than a rolled one and the log's segment count shrinks
 * as it gets cleaner. Segments are read in chunks of whole batches into a reused buffer (grown for a batch larger
 * than it); {@link MemoryRecords#filterTo} with a {@link CompactionFilter} rewrites each chunk.
 *
 * <p>Single use, confined to the cleaner thread. {@code stopRequested} is polled between chunks; a stopped compaction
 * discards the run in progress and reports how far it got (runs already swapped stay swapped: they are complete).
 */
final class LogCompactor {
    private static final int INITIAL_BUFFER_BYTES = 1024 * 1024;
    private static final int BATCH_HEADER_BYTES = Records.LOG_OVERHEAD;

    private final PartitionLog log;
    private final LogConfig config;
    private final long nowMs;
    private final BooleanSupplier stopRequested;
    private final Consumer<List<LogSegment>> retiredSegments;
    private final BufferSupplier decompression = BufferSupplier.create();
    private ByteBuffer readBuffer = ByteBuffer.allocate(INITIAL_BUFFER_BYTES);
    private ByteBuffer writeBuffer = ByteBuffer.allocate(INITIAL_BUFFER_BYTES);
    private long bytesRead;
    private long bytesWritten;
    private long earliestTombstoneHorizon = Long.MAX_VALUE;
    private TxnCleaning txns;

    /** What a compaction did; {@code cleanedTo} is the new checkpoint, -1 when it stopped before finishing. */
    record Outcome(long cleanedTo, long bytesRead, long bytesWritten, int keys, long earliestTombstoneHorizon) {}

    LogCompactor(
            PartitionLog log,
            LogConfig config,
            long nowMs,
            BooleanSupplier stopRequested,
            Consumer<List<LogSegment>> retiredSegments) {
        this.log = log;
        this.config = config;
        this.nowMs = nowMs;
        this.stopRequested = stopRequested;
        this.retiredSegments = retiredSegments;
    }

    /** Compacts {@code segments[0, range.firstUncleanable)} using a map of at most about {@code mapBytes}. */
    Outcome compact(List<LogSegment> segments, CleanableRange range, long mapBytes) throws IOException {
        try {
            txns = new TxnCleaning(log.abortedTxns(), lastDataOffsets());
            OffsetMap map = new OffsetMap(mapBytes);
            int mappedEnd = buildMap(segments, range, map);
            if (mappedEnd < 0) {
                return stopped(map);
            }
            List<LogSegment> toClean = segments.subList(0, mappedEnd);
            for (List<LogSegment> run : runs(toClean)) {
                if (!cleanRun(run, map)) {
                    return stopped(map);
                }
            }
            return new Outcome(
                    segments.get(mappedEnd).baseOffset(),
                    bytesRead,
                    bytesWritten,
                    map.size(),
                    earliestTombstoneHorizon);
        } finally {
            decompression.close();
        }
    }

    /** For each producer of the log, the last offset of its last data batch (whose header the cleaner keeps). */
    private Map<Long, Long> lastDataOffsets() {
        Map<Long, Long> out = new HashMap<>();
        for (ProducerEntry entry : log.producerEntries()) {
            List<ProducerEntry.BatchMetadata> batches = entry.batches();
            if (!batches.isEmpty()) {
                out.put(entry.producerId(), batches.get(batches.size() - 1).lastOffset());
            }
        }
        return out;
    }

    private Outcome stopped(OffsetMap map) {
        return new Outcome(-1, bytesRead, bytesWritten, map.size(), earliestTombstoneHorizon);
    }

    /**
     * Maps the dirty segments, stopping after the segment that fills the map. Returns the index of the first segment
     * not mapped, or -1 when stopped.
     */
    private int buildMap(List<LogSegment> segments, CleanableRange range, OffsetMap map) throws IOException {
        int i = range.firstDirty();
        while (i < range.firstUncleanable() && !map.full()) {
            if (!forEachChunk(segments.get(i), records -> mapChunk(records, map))) {
                return -1;
            }
            i++;
        }
        return i;
    }

    private int mapChunk(MemoryRecords records, OffsetMap map) {
        int consumed = 0;
        for (MutableRecordBatch batch : records.batches()) {
            consumed += batch.sizeInBytes();
            if (batch.isControlBatch() || txns.isAborted(batch)) {
                continue; // committed transactional records are compacted like any other
            }
            try (CloseableIterator<Record> it = batch.streamingIterator(decompression)) {
                while (it.hasNext()) {
                    Record record = it.next();
                    if (record.hasKey()) {
                        map.put(record.key(), record.offset());
                    }
                }
            }
        }
        return consumed;
    }

    /** Consecutive segments whose total size fits {@code segment.bytes} and whose offsets fit one segment. */
    private List<List<LogSegment>> runs(List<LogSegment> segments) {
        List<List<LogSegment>> runs = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            LogSegment first = segments.get(i);
            long size = first.sizeInBytes();
            int j = i + 1;
            while (j < segments.size()) {
                LogSegment next = segments.get(j);
                if (size + next.sizeInBytes() > config.segmentBytes() || !first.canHoldOffset(next.nextOffset() - 1)) {
                    break;
                }
                size += next.sizeInBytes();
                j++;
            }
            runs.add(List.copyOf(segments.subList(i, j)));
            i = j;
        }
        return runs;
    }

    /** Writes the run's cleaned segment and swaps it in. Returns false when stopped (nothing swapped). */
    private boolean cleanRun(List<LogSegment> run, OffsetMap map) throws IOException {
        long base = run.get(0).baseOffset();
        long runLastOffset = run.get(run.size() - 1).nextOffset() - 1;
        CompactionFilter filter = new CompactionFilter(nowMs, config.deleteRetentionMs(), map, runLastOffset, txns);
        SegmentSwap.discardCleaned(log.dir(), base);
        boolean complete = true;
        LogSegment cleaned = LogSegment.open(log.dir(), base, config, nowMs, true, SegmentSwap.CLEANED_SUFFIX);
        try {
            for (LogSegment segment : run) {
                complete = complete && forEachChunk(segment, records -> filterChunk(records, filter, cleaned));
            }
            if (complete) {
                cleaned.onBecomeInactive();
                cleaned.flush();
            }
        } finally {
            cleaned.close();
        }
        if (!complete) {
            SegmentSwap.discardCleaned(log.dir(), base);
            return false;
        }
        Optional<List<LogSegment>> retired = log.replaceSegments(run, txns.removedAbortMarkers());
        if (retired.isEmpty()) {
            // Retention or truncation changed the log meanwhile; the next pass starts from the new segments.
            return false;
        }
        retiredSegments.accept(retired.get());
        earliestTombstoneHorizon = Math.min(earliestTombstoneHorizon, filter.earliestTombstoneHorizon());
        return true;
    }

    private int filterChunk(MemoryRecords records, CompactionFilter filter, LogSegment cleaned) throws IOException {
        writeBuffer.clear();
        MemoryRecords.FilterResult result =
                records.filterTo(filter, writeBuffer, decompression, Records.SOFT_MAX_ARRAY_LENGTH);
        ByteBuffer out = result.outputBuffer();
        out.flip();
        if (out.hasRemaining()) {
            bytesWritten += out.remaining();
            cleaned.append(MemoryRecords.readableRecords(out), config.indexIntervalBytes());
        }
        if (out.capacity() > writeBuffer.capacity()) {
            writeBuffer = out;
        }
        return result.bytesRead();
    }

    @FunctionalInterface
    private interface ChunkHandler {
        /** Handles the whole batches of a chunk; returns the bytes consumed from its start. */
        int handle(MemoryRecords records) throws IOException;
    }

    /** Feeds the segment to {@code handler} in chunks of whole batches. Returns false when stopped. */
    private boolean forEachChunk(LogSegment segment, ChunkHandler handler) throws IOException {
        int size = segment.sizeInBytes();
        int position = 0;
        while (position < size) {
            if (stopRequested.getAsBoolean()) {
                return false;
            }
            readBuffer.clear();
            readBuffer.limit(Math.min(readBuffer.capacity(), size - position));
            segment.readInto(readBuffer, position);
            int consumed = handler.handle(MemoryRecords.readableRecords(readBuffer));
            if (consumed == 0) {
                growReadBuffer();
            }
            position += consumed;
            bytesRead += consumed;
        }
        return true;
    }

    /** The chunk held no whole batch: make room for the batch at its start. */
    private void growReadBuffer() {
        if (readBuffer.remaining() < BATCH_HEADER_BYTES) {
            throw new IllegalStateException("Truncated batch header in a closed segment of " + log.topicPartition());
        }
        int batchSize = BATCH_HEADER_BYTES + readBuffer.getInt(Records.SIZE_OFFSET);
        if (batchSize <= readBuffer.capacity()) {
            throw new IllegalStateException("Unreadable batch in a closed segment of " + log.topicPartition());
        }
        readBuffer = ByteBuffer.allocate(batchSize);
    }
}
