package dev.skein.broker.group;

/**
 * The group coordinator's settings, under Kafka's broker keys ({@link GroupConfigs}).
 *
 * @param offsetsTopicPartitions partitions of {@code __consumer_offsets} when this broker creates it
 * @param offsetsTopicReplicationFactor wanted replication factor; capped at the number of live brokers on creation
 */
public record GroupConfig(
        int offsetsTopicPartitions,
        short offsetsTopicReplicationFactor,
        int offsetsTopicSegmentBytes,
        long offsetsRetentionMs,
        long offsetsRetentionCheckIntervalMs,
        int offsetMetadataMaxBytes,
        int initialRebalanceDelayMs,
        int minSessionTimeoutMs,
        int maxSessionTimeoutMs,
        int maxSize) {}
