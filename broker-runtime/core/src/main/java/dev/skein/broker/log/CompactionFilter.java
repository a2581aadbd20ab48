package dev.skein.broker.log;

import java.util.OptionalLong;
import org.apache.kafka.common.record.internal.ControlRecordType;
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
 * without a key are kept. Transactions follow {@link TxnCleaning}: aborted data goes, committed data is compacted like
 * any other, markers go only when their transaction has no batch left and their delete horizon has passed. Emptied
 * batches are dropped, except idempotent batches and a producer's last transactional data batch (their header keeps
 * the producer's last sequence) and the run's last batch (it keeps the run's end offset, which {@link SegmentSwap}
 * recovery relies on); those stay as empty headers with their base and last offsets.
 *
 * <p>Offsets never change: {@code filterTo} keeps each batch's base and last offset, producer fields, leader epoch and
 * compression. Confined to the cleaner thread.
 */
final class CompactionFilter extends MemoryRecords.RecordFilter {
    private final OffsetMap map;
    private final long runLastOffset;
    private final TxnCleaning txns;
    private long earliestTombstoneHorizon = Long.MAX_VALUE;
    /** Whether the batch being filtered belongs to an aborted transaction (all its records go). */
    private boolean abortedBatch;

    CompactionFilter(long nowMs, long deleteRetentionMs, OffsetMap map, long runLastOffset, TxnCleaning txns) {
        super(nowMs, deleteRetentionMs);
        this.map = map;
        this.runLastOffset = runLastOffset;
        this.txns = txns;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean runEnd = batch.lastOffset() == runLastOffset;
        abortedBatch = false;
        if (batch.isControlBatch()) {
            return markerRetention(batch, runEnd);
        }
        if (batch.isTransactional()) {
            abortedBatch = txns.isAborted(batch);
            boolean keepHeader = runEnd || txns.isLastDataBatch(batch);
            if (abortedBatch && !keepHeader) {
                return new BatchRetentionResult(BatchRetention.DELETE, false);
            }
            txns.onTransactionalBatchKept(batch);
            return new BatchRetentionResult(
                    keepHeader ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
        }
        boolean keepHeader = batch.hasProducerId() || runEnd;
        return new BatchRetentionResult(keepHeader ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY, false);
    }

    /** A marker stays while its transaction has a batch left; then until the delete horizon stamped on it passes. */
    private BatchRetentionResult markerRetention(RecordBatch marker, boolean runEnd) {
        boolean transactionLeft = txns.onMarker(marker);
        if (transactionLeft) {
            return new BatchRetentionResult(BatchRetention.RETAIN_EMPTY, false);
        }
        OptionalLong horizon = marker.deleteHorizonMs();
        if (horizon.isPresent() && currentTime >= horizon.getAsLong() && !runEnd) {
            if (TransactionState.markerType(marker) == ControlRecordType.ABORT) {
                txns.onAbortMarkerRemoved(marker.lastOffset());
            }
            return new BatchRetentionResult(BatchRetention.DELETE, false);
        }
        long due = horizon.isPresent() ? horizon.getAsLong() : currentTime + deleteRetentionMs;
        earliestTombstoneHorizon = Math.min(earliestTombstoneHorizon, due);
        // containsMarkerForEmptyTxn: filterTo stamps the delete horizon on the batch if it has none yet.
        return new BatchRetentionResult(BatchRetention.RETAIN_EMPTY, true);
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        if (batch.isControlBatch() || !record.hasKey()) {
            return !abortedBatch;
        }
        if (abortedBatch) {
            return false;
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
