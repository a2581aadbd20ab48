package dev.skein.broker.txn.coordinator;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One transactional id's state as the coordinator stores it in {@code __transaction_state} (the value of
 * {@link TransactionRecords}). Immutable: a transition builds the next entry, writes it, and installs it once the write
 * is committed.
 *
 * @param producerId the producer id in use
 * @param previousProducerId the producer id before the last one was handed out (-1 if none), for KIP-360 retries
 * @param producerEpoch the epoch in use
 * @param lastProducerEpoch the epoch before the last bump (-1 if none, not stored), for KIP-360 retries
 * @param timeoutMs the client's {@code transaction.timeout.ms}
 * @param partitions the partitions of the ongoing (or preparing) transaction; empty once complete
 * @param startTimestampMs when the current transaction started (-1 when none is open)
 * @param updateTimestampMs when this entry was made
 */
public record TransactionEntry(
        long producerId,
        long previousProducerId,
        short producerEpoch,
        short lastProducerEpoch,
        int timeoutMs,
        TransactionState state,
        Set<TopicPartition> partitions,
        long startTimestampMs,
        long updateTimestampMs) {
    public TransactionEntry {
        partitions = Set.copyOf(partitions);
    }

    TransactionEntry withState(TransactionState newState, Set<TopicPartition> newPartitions, long now) {
        return new TransactionEntry(
                producerId,
                previousProducerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                newState,
                newPartitions,
                newState == TransactionState.ONGOING && state != TransactionState.ONGOING ? now : startTimestampMs,
                now);
    }

    /**
     * The same transaction under a new producer id and/or epoch; a new producer id remembers the one it replaces.
     *
     * @param lastEpoch the epoch a KIP-360 retry of this change may name, or -1
     */
    TransactionEntry withProducer(long newProducerId, short newEpoch, short lastEpoch, long now) {
        return new TransactionEntry(
                newProducerId,
                newProducerId == producerId ? previousProducerId : producerId,
                newEpoch,
                lastEpoch,
                timeoutMs,
                state,
                partitions,
                startTimestampMs,
                now);
    }
}
