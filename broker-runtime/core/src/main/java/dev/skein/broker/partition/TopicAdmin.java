package dev.skein.broker.partition;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.common.config.ConfigException;
import dev.skein.broker.log.LogConfig;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.internals.Topic;

/**
 * Topic lifecycle as this broker performs it: validate, write to ZooKeeper, then open the local logs right away so a
 * produce that follows a successful CreateTopics never sees UNKNOWN_TOPIC_OR_PARTITION. The ZooKeeper watch that
 * fires afterwards applies the same state again, which is harmless.
 */
public final class TopicAdmin {
    private final TopicPolicy policy;
    private final MetadataStore metadata;
    private final PartitionRegistry partitions;

    public TopicAdmin(TopicPolicy policy, MetadataStore metadata, PartitionRegistry partitions) {
        this.policy = policy;
        this.metadata = metadata;
        this.partitions = partitions;
    }

    /**
     * Validates a topic's config overrides.
     *
     * @throws InvalidConfigurationException naming the key and the allowed values
     */
    public void validateConfigs(Map<String, String> overrides) {
        try {
            LogConfig.of(policy.logDefaults(), overrides);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /**
     * Validates config overrides a client asks for on {@code topic}, whose current overrides are {@code current}:
     * besides {@link #validateConfigs}, a changed {@code segment.bytes} or {@code segment.index.bytes} must reach the
     * floors {@code skein.topic.segment.bytes.min} / {@code skein.topic.segment.index.bytes.min} (a tiny segment
     * would make the broker roll a file per batch), and the {@code cleanup.policy} of an internal topic cannot change
     * (the group coordinator relies on compaction of {@code __consumer_offsets}).
     *
     * @throws InvalidConfigurationException (INVALID_CONFIG) naming the key
     */
    public void validateClientConfigs(String topic, Map<String, String> current, Map<String, String> proposed) {
        validateConfigs(proposed);
        checkFloor(current, proposed, LogConfig.SEGMENT_BYTES, policy.segmentBytesMin());
        checkFloor(current, proposed, LogConfig.SEGMENT_INDEX_BYTES, policy.segmentIndexBytesMin());
        if (Topic.isInternal(topic)
                && !Objects.equals(current.get(LogConfig.CLEANUP_POLICY), proposed.get(LogConfig.CLEANUP_POLICY))) {
            throw new InvalidConfigurationException(
                    "cleanup.policy of the internal topic " + topic + " cannot be changed");
        }
    }

    private static void checkFloor(Map<String, String> current, Map<String, String> proposed, String key, int min) {
        String value = proposed.get(key);
        if (value == null || value.equals(current.get(key))) {
            return;
        }
        if (Long.parseLong(value.trim()) < min) {
            throw new InvalidConfigurationException(
                    "Invalid value " + value + " for configuration " + key + ": must be at least " + min);
        }
    }

    public boolean exists(String name) {
        return metadata.topic(name).isPresent();
    }

    /** The partition count a topic gets when -1 (the broker default) is asked for. */
    public int effectivePartitions(int requested) {
        return requested == -1 ? policy.numPartitions() : requested;
    }

    /** The replication factor a topic gets when -1 (the broker default) is asked for. */
    public short effectiveReplicationFactor(short requested) {
        return requested == -1 ? policy.defaultReplicationFactor() : requested;
    }

    /**
     * Refuses a request whose partitions, all its topics together, exceed {@code skein.max.partitions.per.request}
     * (Kafka's controller refuses more than 10,000 records per operation the same way).
     *
     * @param requestPartitions partitions the request creates up to and including the topic being checked
     * @throws PolicyViolationException naming the limit
     */
    public void checkRequestPartitions(long requestPartitions) {
        int max = policy.maxPartitionsPerRequest();
        if (requestPartitions > max) {
            throw new PolicyViolationException("Excessively large request: it creates " + requestPartitions
                    + " partitions, more than " + TopicPolicy.MAX_PARTITIONS_PER_REQUEST + " (" + max + ")");
        }
    }

    /**
     * Refuses adding {@code newPartitions} partitions of {@code replicationFactor} replicas when the cluster would
     * then hold more than {@code skein.max.partitions.per.broker} replicas per live broker. Checked before anything
     * proportional to the requested count is allocated.
     *
     * @throws PolicyViolationException naming the limit
     */
    public void checkBrokerPartitions(long newPartitions, int replicationFactor) {
        long existing = 0;
        for (TopicDescription topic : metadata.topics()) {
            for (var partition : topic.partitions().values()) {
                existing += partition.replicas().size();
            }
        }
        long brokers = Math.max(1, metadata.liveBrokers().size());
        long limit = brokers * policy.maxPartitionsPerBroker();
        long after = existing + newPartitions * Math.max(1, replicationFactor);
        if (after > limit) {
            throw new PolicyViolationException("Creating " + newPartitions + " partitions of " + replicationFactor
                    + " replicas would put " + after + " partition replicas on " + brokers
                    + " live broker(s), more than "
                    + TopicPolicy.MAX_PARTITIONS_PER_BROKER + " ("
                    + policy.maxPartitionsPerBroker()
                    + ") each");
        }
    }

    /**
     * Creates a topic; -1 partitions or replication factor mean the broker defaults.
     *
     * @throws PolicyViolationException if the partition caps would be exceeded
     */
    public TopicDescription create(
            String name, int numPartitions, short replicationFactor, Map<String, String> configs) {
        validateConfigs(configs);
        checkRequestPartitions(effectivePartitions(numPartitions));
        checkBrokerPartitions(effectivePartitions(numPartitions), effectiveReplicationFactor(replicationFactor));
        TopicDescription topic = interruptible(() -> metadata.createTopic(
                name, effectivePartitions(numPartitions), effectiveReplicationFactor(replicationFactor), configs));
        partitions.apply(topic);
        return topic;
    }

    /**
     * Deletes a topic and, once this broker's metadata shows it gone, its local logs (otherwise the metadata event
     * that follows removes them).
     *
     * @return whether the deletion showed in this broker's metadata within {@code timeoutMs}
     * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if the topic does not exist or a
     *     concurrent deletion removed it first
     */
    public boolean delete(String name, long timeoutMs) {
        boolean applied = interruptible(() -> metadata.deleteTopic(name, timeoutMs));
        if (applied) {
            partitions.remove(name);
        }
        return applied;
    }

    /**
     * Grows a topic to {@code totalCount} partitions.
     *
     * @throws PolicyViolationException if the partition caps would be exceeded
     */
    public void createPartitions(String name, int totalCount) {
        metadata.topic(name).ifPresent(topic -> {
            long added = (long) totalCount - topic.partitionCount();
            checkRequestPartitions(added);
            int replicationFactor = topic.partitions().isEmpty()
                    ? 1
                    : topic.partitions().values().iterator().next().replicas().size();
            checkBrokerPartitions(added, replicationFactor);
        });
        interruptible(() -> {
            metadata.createPartitions(name, totalCount);
            return null;
        });
        metadata.topic(name).ifPresent(partitions::apply);
    }

    public void setConfigs(String name, Map<String, String> overrides) {
        validateConfigs(overrides);
        interruptible(() -> {
            metadata.setTopicConfig(name, overrides);
            return null;
        });
        metadata.topic(name).ifPresent(partitions::apply);
    }

    private interface ZkWrite<T> {
        T run() throws InterruptedException;
    }

    /** Runs a ZooKeeper write on a request thread; an interrupt (broker shutdown) fails the request. */
    private static <T> T interruptible(ZkWrite<T> write) {
        try {
            return write.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while writing topic metadata (broker shutting down)", e);
        }
    }
}
