package dev.skein.broker.group;

import dev.skein.broker.config.BrokerConfig;

/**
 * The group coordinator's settings, under Kafka's broker keys (see {@link BrokerConfig}).
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
        int maxSize) {

    public static GroupConfig from(BrokerConfig config) {
        return new GroupConfig(
                config.intValue(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS),
                (short) config.intValue(BrokerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR),
                config.intValue(BrokerConfig.OFFSETS_TOPIC_SEGMENT_BYTES),
                config.intValue(BrokerConfig.OFFSETS_RETENTION_MINUTES) * 60_000L,
                config.longValue(BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS),
                config.intValue(BrokerConfig.OFFSET_METADATA_MAX_BYTES),
                config.intValue(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS),
                config.intValue(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS),
                config.intValue(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS),
                config.intValue(BrokerConfig.GROUP_MAX_SIZE));
    }
}
