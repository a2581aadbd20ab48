package dev.skein.broker.partition;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;
import dev.skein.broker.common.config.ConfigValues;
import java.util.Map;

/**
 * What {@link TopicAdmin} allows and fills in when clients create or change topics: the defaults for -1 partitions or
 * replication factor, floors for client-set segment sizes, and caps on partitions. Its keys are declared once here.
 *
 * @param logDefaults topic key to this broker's default, for {@link dev.skein.broker.log.LogConfig#of(Map, Map)}
 */
public record TopicPolicy(
        int numPartitions,
        short defaultReplicationFactor,
        int segmentBytesMin,
        int segmentIndexBytesMin,
        int maxPartitionsPerRequest,
        int maxPartitionsPerBroker,
        Map<String, String> logDefaults) {
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String TOPIC_SEGMENT_BYTES_MIN = "skein.topic.segment.bytes.min";
    public static final String TOPIC_SEGMENT_INDEX_BYTES_MIN = "skein.topic.segment.index.bytes.min";
    public static final String MAX_PARTITIONS_PER_REQUEST = "skein.max.partitions.per.request";
    public static final String MAX_PARTITIONS_PER_BROKER = "skein.max.partitions.per.broker";

    /** Declares the topic policy keys in {@code def}. */
    public static void define(ConfigDef def) {
        def.define(NUM_PARTITIONS, Type.INT, 1, 1, "Partitions of an auto-created topic")
                .define(DEFAULT_REPLICATION_FACTOR, Type.INT, 1, 1, "Replication factor of an auto-created topic")
                // Floors for topic configs set by clients (CreateTopics, AlterConfigs, IncrementalAlterConfigs).
                .define(
                        TOPIC_SEGMENT_BYTES_MIN,
                        Type.INT,
                        1024 * 1024,
                        14,
                        "Smallest segment.bytes a client may set on a topic (Kafka 4.0's floor is 1 MiB)")
                .define(
                        TOPIC_SEGMENT_INDEX_BYTES_MIN,
                        Type.INT,
                        4096,
                        8,
                        "Smallest segment.index.bytes a client may set on a topic")
                .define(
                        MAX_PARTITIONS_PER_REQUEST,
                        Type.INT,
                        10_000,
                        1,
                        "Most partitions one CreateTopics or CreatePartitions request may create")
                .define(
                        MAX_PARTITIONS_PER_BROKER,
                        Type.INT,
                        20_000,
                        1,
                        "Most partition replicas per live broker that topic creation may reach");
    }

    /** The policy from parsed broker values and the broker's topic defaults. */
    public static TopicPolicy from(ConfigValues values, Map<String, String> logDefaults) {
        return new TopicPolicy(
                values.getInt(NUM_PARTITIONS),
                (short) values.getInt(DEFAULT_REPLICATION_FACTOR),
                values.getInt(TOPIC_SEGMENT_BYTES_MIN),
                values.getInt(TOPIC_SEGMENT_INDEX_BYTES_MIN),
                values.getInt(MAX_PARTITIONS_PER_REQUEST),
                values.getInt(MAX_PARTITIONS_PER_BROKER),
                logDefaults);
    }
}
