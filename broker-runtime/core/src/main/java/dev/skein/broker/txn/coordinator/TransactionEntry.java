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
 * @param nextProducerId the producer id a prepared transaction of a {@code transaction.version} 2 client moves to once
 *     complete, because its epoch bump overflows (-1 if none)
 * @param producerEpoch the epoch in use
 * @param lastProducerEpoch the epoch before the last bump (-1 if none, not stored), for KIP-360 retries
 * @param timeoutMs the client's {@code transaction.timeout.ms}
 * @param partitions the partitions of the ongoing (or preparing) transaction; empty once complete
 * @param startTimestampMs when the current transaction started (-1 when none is open)
 * @param updateTimestampMs when this entry was made
 * @param clientTransactionVersion the {@code transaction.version} of the client's last AddPartitionsToTxn or EndTxn:
 *     {@link #LEGACY_CLIENT} (0, the KIP-98 flow of versions 0 and 1) or {@link #TV2_CLIENT} (2, KIP-890 part 2: the
 *     epoch is bumped at every transaction end), as Kafka's coordinator tells them apart by request version
 */
public record TransactionEntry(
        long producerId,
        long previousProducerId,
        long nextProducerId,
        short producerEpoch,
        short lastProducerEpoch,
        int timeoutMs,
        TransactionState state,
        Set<TopicPartition> partitions,
        long startTimestampMs,
        long updateTimestampMs,
        short clientTransactionVersion) {
    /** A client of {@code transaction.version} 0 or 1 (Kafka records both as 0). */
    public static final short LEGACY_CLIENT = 0;
    /** A client of {@code transaction.version} 2. */
    public static final short TV2_CLIENT = 2;

    public TransactionEntry {
        partitions = Set.copyOf(partitions);
    }

    /** An entry of a legacy client without a next producer id. */
    public TransactionEntry(
            long producerId,
            long previousProducerId,
            short producerEpoch,
            short lastProducerEpoch,
            int timeoutMs,
            TransactionState state,
            Set<TopicPartition> partitions,
            long startTimestampMs,
            long updateTimestampMs) {
        this(
                producerId,
                previousProducerId,
                -1,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                state,
                partitions,
                startTimestampMs,
                updateTimestampMs,
                LEGACY_CLIENT);
    }

    /** Whether the client bumps its epoch at every transaction end (KIP-890 part 2). */
    public boolean isTransactionV2() {
        return clientTransactionVersion >= TV2_CLIENT;
    }

    /** The same entry, last used by a client of {@code version}. */
    TransactionEntry withClientVersion(short version) {
        return version == clientTransactionVersion
                ? this
                : new TransactionEntry(
                        producerId,
                        previousProducerId,
                        nextProducerId,
                        producerEpoch,
                        lastProducerEpoch,
                        timeoutMs,
                        state,
                        partitions,
                        startTimestampMs,
                        updateTimestampMs,
                        version);
    }

    TransactionEntry withState(TransactionState newState, Set<TopicPartition> newPartitions, long now) {
        return new TransactionEntry(
                producerId,
                previousProducerId,
                nextProducerId,
                producerEpoch,
                lastProducerEpoch,
                timeoutMs,
                newState,
                newPartitions,
                newState == TransactionState.ONGOING && state != TransactionState.ONGOING ? now : startTimestampMs,
                now,
                clientTransactionVersion);
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
                -1,
                newEpoch,
                lastEpoch,
                timeoutMs,
                state,
                partitions,
                startTimestampMs,
                now,
                clientTransactionVersion);
    }
}
