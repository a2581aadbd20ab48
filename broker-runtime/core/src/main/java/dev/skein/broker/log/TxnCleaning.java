package dev.skein.broker.log;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What one compaction knows about transactions (Kafka's {@code CleanedTransactionMetadata}), used while the cleaned
 * range — always below the last stable offset, so every transaction in it is decided — is rewritten in offset order:
 *
 * <ul>
 *   <li>a data batch of an aborted transaction (the aborted-transaction index says so) loses all its records; the batch
 *       goes too, unless it is its producer's last data batch, whose header keeps the producer's sequence;
 *   <li>records of committed transactions are compacted like any other;
 *   <li>a marker stays while any batch of its transaction is still in the log (a reader replaying the log must see the
 *       end of every transaction it sees begin); once none is, the cleaner stamps the marker's batch with a delete
 *       horizon ({@code delete.retention.ms}) and removes it at a later clean after that horizon, so a consumer that
 *       was reading the transaction has that long to see the marker. An ABORT marker removed takes its
 *       aborted-transaction index entry with it.
 * </ul>
 *
 * Confined to the cleaner thread.
 */
final class TxnCleaning {
    private final List<AbortedTxn> aborted;
    private final Map<Long, Long> lastDataOffsets;
    /** Producers with a batch of their current transaction kept by this clean (since their last marker). */
    private final Set<Long> observed = new HashSet<>();
    /** Offsets of the ABORT markers this clean removed. */
    private final Set<Long> removedAbortMarkers = new HashSet<>();

    /**
     * @param aborted the partition's aborted transactions
     * @param lastDataOffsets for each producer the log knows, the last offset of its last data batch
     */
    TxnCleaning(List<AbortedTxn> aborted, Map<Long, Long> lastDataOffsets) {
        this.aborted = aborted;
        this.lastDataOffsets = new HashMap<>(lastDataOffsets);
    }

    /** Whether {@code batch} (transactional data) belongs to an aborted transaction. */
    boolean isAborted(RecordBatch batch) {
        if (!batch.isTransactional() || batch.isControlBatch()) {
            return false;
        }
        long producerId = batch.producerId();
        long offset = batch.baseOffset();
        for (AbortedTxn txn : aborted) {
            if (txn.producerId() == producerId && txn.firstOffset() <= offset && offset <= txn.lastOffset()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code batch} is its producer's last data batch, whose header must stay for the sequence. */
    boolean isLastDataBatch(RecordBatch batch) {
        Long last = lastDataOffsets.get(batch.producerId());
        return last != null && last == batch.lastOffset();
    }

    /** A data batch of a transaction stays in the log (possibly emptied): its marker must stay too. */
    void onTransactionalBatchKept(RecordBatch batch) {
        observed.add(batch.producerId());
    }

    /**
     * Reads a marker: returns whether a batch of its transaction was kept by this clean (then the marker stays), and
     * ends the producer's transaction.
     */
    boolean onMarker(RecordBatch marker) {
        return observed.remove(marker.producerId());
    }

    void onAbortMarkerRemoved(long offset) {
        removedAbortMarkers.add(offset);
    }

    Set<Long> removedAbortMarkers() {
        return removedAbortMarkers;
    }
}
