package dev.skein.broker.log;

import dev.skein.broker.txn.ProducerStateManager;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.utils.Time;

/**
 * Rebuilds a partition's aborted-transaction index and its completed-but-unreplicated transactions from its segments
 * when the log is opened: every transactional batch and marker from the log start is replayed through a scratch
 * producer state (the real one comes from the snapshot and is not touched).
 */
final class TransactionRecovery {
    private TransactionRecovery() {}

    /**
     * @param aborted the aborted transactions, in marker order
     * @param unreplicated the transactions whose marker is at or above the high watermark: {first, marker}
     */
    record Rebuilt(List<AbortedTxn> aborted, List<long[]> unreplicated) {}

    static Rebuilt rebuild(TopicPartition tp, Time time, List<LogSegment> segments, long logStart, long hw) {
        TransactionState scratch = new TransactionState(new ProducerStateManager(tp, time));
        for (LogSegment segment : segments) {
            for (FileChannelRecordBatch batch : segment.batchesFrom(0)) {
                if (batch.lastOffset() >= logStart && batch.hasProducerId() && batch.isTransactional()) {
                    scratch.onAppend(batch, null);
                }
            }
        }
        List<AbortedTxn> aborted = new ArrayList<>();
        for (AbortedTxn txn : scratch.abortedTxns()) {
            if (txn.lastOffset() >= logStart) {
                aborted.add(txn);
            }
        }
        return new Rebuilt(aborted, scratch.unreplicatedAtOrAbove(hw));
    }
}
