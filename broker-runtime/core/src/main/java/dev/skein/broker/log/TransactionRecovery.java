package dev.skein.broker.log;

import dev.skein.broker.txn.ProducerStateManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a partition's aborted-transaction index when its log is opened. After a clean shutdown it is read from the
 * segments' {@code .txnindex} files ({@link TxnIndexFile}). After a crash (the files are written without fsync), or when
 * a file is missing or does not fit its segment, it is rebuilt from the log: every transactional batch and marker from
 * the log start is replayed through a scratch producer state (the real one comes from its snapshot and is not
 * touched), and every segment's file is rewritten. The rebuild also finds the completed transactions whose marker is
 * not yet below the high watermark; a clean load assumes none (their markers were written before the shutdown, the
 * decision is final, and an aborted one is in the index).
 */
final class TransactionRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionRecovery.class);

    private TransactionRecovery() {}

    /**
     * @param aborted the aborted transactions with a marker at or after the log start, in marker order
     * @param unreplicated the transactions whose marker is at or above the high watermark: {first, marker}
     */
    record Rebuilt(List<AbortedTxn> aborted, List<long[]> unreplicated) {}

    static Rebuilt load(
            Path dir,
            TopicPartition tp,
            Time time,
            List<LogSegment> segments,
            long logStart,
            long hw,
            boolean cleanShutdown)
            throws IOException {
        if (cleanShutdown) {
            Optional<List<AbortedTxn>> stored = readAll(dir, segments, logStart);
            if (stored.isPresent()) {
                return new Rebuilt(stored.get(), List.of());
            }
            LOG.warn("{}: a transaction index is missing or damaged; rebuilding them from the log", tp);
        }
        Rebuilt rebuilt = rebuild(tp, time, segments, logStart, hw);
        for (LogSegment segment : segments) {
            List<AbortedTxn> inSegment = new ArrayList<>();
            for (AbortedTxn txn : rebuilt.aborted()) {
                if (txn.lastOffset() >= segment.baseOffset() && txn.lastOffset() < segment.nextOffset()) {
                    inSegment.add(txn);
                }
            }
            TxnIndexFile.write(TxnIndexFile.path(dir, segment.baseOffset()), inSegment);
        }
        return rebuilt;
    }

    private static Optional<List<AbortedTxn>> readAll(Path dir, List<LogSegment> segments, long logStart)
            throws IOException {
        List<AbortedTxn> all = new ArrayList<>();
        for (LogSegment segment : segments) {
            Optional<List<AbortedTxn>> entries = TxnIndexFile.read(
                    TxnIndexFile.path(dir, segment.baseOffset()), segment.baseOffset(), segment.nextOffset());
            if (entries.isEmpty()) {
                return Optional.empty();
            }
            for (AbortedTxn txn : entries.get()) {
                if (txn.lastOffset() >= logStart) {
                    all.add(txn);
                }
            }
        }
        return Optional.of(all);
    }

    /** Replays the log's transactional batches and markers through a scratch producer state. */
    static Rebuilt rebuild(TopicPartition tp, Time time, List<LogSegment> segments, long logStart, long hw) {
        TransactionState scratch = new TransactionState(new ProducerStateManager(tp, time));
        for (LogSegment segment : segments) {
            for (FileChannelRecordBatch batch : segment.batchesFrom(0)) {
                // Below the log start too: a transaction that began there and aborted after it needs its first offset.
                if (batch.hasProducerId() && batch.isTransactional()) {
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
