package dev.skein.broker.txn.coordinator;

/**
 * The transaction coordinator's settings, under Kafka's broker keys ({@link TransactionConfigs}).
 *
 * @param stateLogPartitions partitions of {@code __transaction_state} when this broker creates it
 * @param stateLogReplicationFactor wanted replication factor; capped at the live brokers on creation
 * @param stateLogMinIsr {@code min.insync.replicas} of the topic; capped at its replication factor
 * @param maxTimeoutMs the largest {@code transaction.timeout.ms} a producer may ask for
 * @param idExpirationMs how long an idle transactional id is kept
 * @param abortTimedOutIntervalMs period of the check that aborts transactions past their timeout
 * @param removeExpiredIntervalMs period of the check that expires idle transactional ids
 */
public record TransactionConfig(
        int stateLogPartitions,
        short stateLogReplicationFactor,
        int stateLogMinIsr,
        int stateLogSegmentBytes,
        int maxTimeoutMs,
        long idExpirationMs,
        long abortTimedOutIntervalMs,
        long removeExpiredIntervalMs) {}
