package dev.skein.broker.log;

import java.util.OptionalLong;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Decides, for {@link MemoryRecords#filterTo}, which records of a segment run survive compaction.
 *
 * <p>A keyed record in an ordinary batch is dropped when the {@link OffsetMap} holds a later offset for its key. A
 * tombstone (null value) that is its key's latest record is kept until the delete horizon of its batch has passed:
 * {@code filterTo} stamps the horizon ({@code now + delete.retention.ms}) on a batch the first time a clean keeps a
 * tombstone in it, so a tombstone lives at least {@code delete.retention.ms} after it was first cleaned. Records
 * without a key, and every record of a transactional or control batch, are kept untouched (transaction-aware
 * cleaning is not implemented). Emptied batches are dropped, except batches with a producer id (their header keeps
 * the producer's last sequence) and the run's last batch (it keeps the run's end offset, which {@link SegmentSwap}
 * recovery relies on); those stay as empty headers with their base and last offsets.
 *
 * <p>Offsets never change: {@code filterTo} keeps each batch's base and last offset, producer fields, leader epoch and
 * compression. Confined to the cleaner thread.
 */
final class CompactionFilter extends MemoryRecords.RecordFilter {
    private final OffsetMap map;
    private final long runLastOffset;
    private long earliestTombstoneHorizon = Long.MAX_VALUE;

    CompactionFilter(long nowMs, long deleteRetentionMs, OffsetMap map, long runLastOffset) {
        super(nowMs, deleteRetentionMs);
        this.map = map;
        this.runLastOffset = runLastOffset;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean keepHeader = batch.hasProducerId() || batch.lastOffset() == runLastOffset;
        return new BatchRetentionResult(keepHeader ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        if (batch.isControlBatch() || batch.isTransactional() || !record.hasKey()) {
            return true;
        }
        if (map.latestOffset(record.key()) > record.offset()) {
            return false;
        }
        if (record.hasValue()) {
            return true;
        }
        OptionalLong stamped = batch.deleteHorizonMs();
        long horizon = stamped.isPresent() ? stamped.getAsLong() : currentTime + deleteRetentionMs;
        if (currentTime >= horizon) {
            return false;
        }
        earliestTombstoneHorizon = Math.min(earliestTombstoneHorizon, horizon);
        return true;
    }

    /** The earliest delete horizon of a tombstone kept so far, or {@link Long#MAX_VALUE}. */
    long earliestTombstoneHorizon() {
        return earliestTombstoneHorizon;
    }
}
