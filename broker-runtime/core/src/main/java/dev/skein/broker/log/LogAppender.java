package dev.skein.broker.log;

import dev.skein.broker.log.PartitionLog.AppendResult;
import dev.skein.broker.txn.BatchCheck;
import dev.skein.broker.txn.ProducerStateManager;
import java.net.InetAddress;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The append path of one {@link PartitionLog}: offset assignment, producer-state checks, the transaction state's
 * bookkeeping and {@code .txnindex} writes ({@link TransactionState}), leader-epoch assignment and durability
 * accounting, for leader and follower appends.
 *
 * <p>Threading: not thread-safe; every method is called by {@link PartitionLog} holding its monitor (the log's writer
 * lock), after it checked the log is open and online and validated the records.
 */
final class LogAppender {
    private final Object owner;
    private final TopicPartition topicPartition;
    private final LocalLog local;
    private final LeaderEpochCache epochs;
    private final ProducerStateManager producers;
    private final TransactionState txns;
    private final LogDurability durability;

    LogAppender(
            Object owner,
            TopicPartition topicPartition,
            LocalLog local,
            LeaderEpochCache epochs,
            ProducerStateManager producers,
            TransactionState txns,
            LogDurability durability) {
        this.owner = owner;
        this.topicPartition = topicPartition;
        this.local = local;
        this.epochs = epochs;
        this.producers = producers;
        this.txns = txns;
        this.durability = durability;
    }

    /**
     * Appends {@code records}, already validated into {@code batches}, at the log end as leader of
     * {@code leaderEpoch} (-1: none): assigns offsets, stamps the epoch and, for LogAppendTime topics, {@code now}; a
     * lone batch that repeats a recent batch of its idempotent producer appends nothing and returns the original
     * offsets with {@code duplicate = true}. On failure the transaction state this append created is undone.
     */
    AppendResult append(
            MemoryRecords records,
            List<MutableRecordBatch> batches,
            int leaderEpoch,
            LogConfig cfg,
            long now,
            InetAddress client) {
        long firstOffset = local.logEndOffset();
        try {
            long next = firstOffset;
            for (MutableRecordBatch batch : batches) {
                if (batch.hasProducerId()) {
                    BatchCheck check = producers.check(batch, client);
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
                    txns.onAppend(batch, client);
                }
                next = batch.nextOffset();
            }
            local.write(records, firstOffset, next, cfg, now);
            persistTxnIndex();
            if (leaderEpoch >= 0) {
                epochs.assign(leaderEpoch, firstOffset);
            }
            durability.afterAppend(cfg);
            return new AppendResult(
                    firstOffset,
                    next - 1,
                    cfg.logAppendTime() ? now : RecordBatch.NO_TIMESTAMP,
                    local.logStartOffset(),
                    false);
        } catch (RuntimeException e) {
            txns.truncateFrom(firstOffset);
            throw e;
        }
    }

    /**
     * Appends batches fetched from the leader as they are: offsets, leader epochs and timestamps are kept. Each batch
     * is validated like a produce batch and must start at or after the current log end, in increasing order.
     */
    AppendResult appendAsFollower(MemoryRecords records, LogConfig cfg, long now) {
        List<MutableRecordBatch> batches =
                AppendValidator.validate(records, Integer.MAX_VALUE).batches();
        long firstOffset = batches.get(0).baseOffset();
        long next = local.logEndOffset();
        for (MutableRecordBatch batch : batches) {
            if (batch.baseOffset() < next) {
                throw new InvalidRecordException("Replicated batch at offset " + batch.baseOffset()
                        + " is below the expected offset " + next + " of " + topicPartition);
            }
            next = batch.nextOffset();
        }
        local.write(records, firstOffset, next, cfg, now);
        for (MutableRecordBatch batch : batches) {
            epochs.assign(batch.partitionLeaderEpoch(), batch.baseOffset());
            if (batch.hasProducerId()) {
                txns.onAppend(batch, null);
            }
        }
        persistTxnIndex();
        durability.afterAppend(cfg);
        return new AppendResult(firstOffset, next - 1, RecordBatch.NO_TIMESTAMP, local.logStartOffset(), false);
    }

    /** Appends the ABORT markers just written to the active segment's {@code .txnindex}. */
    private void persistTxnIndex() {
        txns.persistToActive(local.end().segment(), local.dir(), owner);
    }

    private AppendResult duplicateResult(BatchCheck.Duplicate dup, LogConfig cfg) {
        long appendTime = cfg.logAppendTime() ? dup.timestamp() : RecordBatch.NO_TIMESTAMP;
        return new AppendResult(dup.firstOffset(), dup.lastOffset(), appendTime, local.logStartOffset(), true);
    }
}
