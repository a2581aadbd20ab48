package dev.skein.broker.log;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Topic-level log configuration (Kafka's topic config names). Each topic key has a broker-level default key
 * ({@code log.}-prefixed in Kafka); a topic's effective config is its overrides on top of the broker defaults.
 * Immutable; a config change builds a new instance.
 */
public final class LogConfig {
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MIN_IN_SYNC_REPLICAS = "min.insync.replicas";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";

    /** Topic key -> the broker key that supplies its default. */
    public static final Map<String, String> BROKER_DEFAULT_KEYS = Map.ofEntries(
            Map.entry(SEGMENT_BYTES, "log.segment.bytes"),
            Map.entry(SEGMENT_MS, "log.roll.ms"),
            Map.entry(RETENTION_MS, "log.retention.ms"),
            Map.entry(RETENTION_BYTES, "log.retention.bytes"),
            Map.entry(FLUSH_MESSAGES, "log.flush.interval.messages"),
            Map.entry(FLUSH_MS, "log.flush.interval.ms"),
            Map.entry(INDEX_INTERVAL_BYTES, "log.index.interval.bytes"),
            Map.entry(SEGMENT_INDEX_BYTES, "log.index.size.max.bytes"),
            Map.entry(MAX_MESSAGE_BYTES, "message.max.bytes"),
            Map.entry(CLEANUP_POLICY, "log.cleanup.policy"),
            Map.entry(MESSAGE_TIMESTAMP_TYPE, "log.message.timestamp.type"),
            Map.entry(MIN_IN_SYNC_REPLICAS, "min.insync.replicas"),
            Map.entry(COMPRESSION_TYPE, "compression.type"),
            Map.entry(UNCLEAN_LEADER_ELECTION_ENABLE, "unclean.leader.election.enable"),
            Map.entry(DELETE_RETENTION_MS, "log.cleaner.delete.retention.ms"),
            Map.entry(MIN_COMPACTION_LAG_MS, "log.cleaner.min.compaction.lag.ms"),
            Map.entry(MIN_CLEANABLE_DIRTY_RATIO, "log.cleaner.min.cleanable.ratio"),
            Map.entry(FILE_DELETE_DELAY_MS, "log.segment.delete.delay.ms"),
            Map.entry(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, "log.message.timestamp.before.max.ms"),
            Map.entry(MESSAGE_TIMESTAMP_AFTER_MAX_MS, "log.message.timestamp.after.max.ms"));

    /** The topic-level keys with Kafka's defaults. */
    public static final ConfigDef TOPIC_CONFIG = new ConfigDef()
            .define(SEGMENT_BYTES, Type.INT, 1024 * 1024 * 1024, 14, "Size at which a segment is rolled")
            .define(SEGMENT_MS, Type.LONG, 7 * 24 * 3600 * 1000L, 1, "Age at which a segment is rolled")
            .define(RETENTION_MS, Type.LONG, 7 * 24 * 3600 * 1000L, -1, "Age after which segments are deleted")
            .define(RETENTION_BYTES, Type.LONG, -1L, -1, "Partition size above which old segments are deleted")
            .define(FLUSH_MESSAGES, Type.LONG, Long.MAX_VALUE, 1, "Messages between forced fsyncs")
            .define(FLUSH_MS, Type.LONG, Long.MAX_VALUE, 0, "Milliseconds between forced fsyncs")
            .define(INDEX_INTERVAL_BYTES, Type.INT, 4096, 0, "Bytes between offset index entries")
            .define(SEGMENT_INDEX_BYTES, Type.INT, 10 * 1024 * 1024, 8, "Maximum size of an index file")
            .define(MAX_MESSAGE_BYTES, Type.INT, 1024 * 1024 + 12, 0, "Largest record batch accepted")
            .define(
                    CLEANUP_POLICY,
                    Type.LIST,
                    "delete",
                    Double.NEGATIVE_INFINITY,
                    Set.of("delete", "compact"),
                    "delete and/or compact")
            .define(
                    MESSAGE_TIMESTAMP_TYPE,
                    Type.STRING,
                    "CreateTime",
                    Double.NEGATIVE_INFINITY,
                    Set.of("createtime", "logappendtime"),
                    "CreateTime or LogAppendTime")
            .define(MIN_IN_SYNC_REPLICAS, Type.INT, 1, 1, "Replicas that must acknowledge acks=all")
            .define(
                    COMPRESSION_TYPE,
                    Type.STRING,
                    "producer",
                    Double.NEGATIVE_INFINITY,
                    Set.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"),
                    "Codec for stored batches; producer keeps what the producer sent")
            .define(UNCLEAN_LEADER_ELECTION_ENABLE, Type.BOOLEAN, false, "Allow out-of-sync replicas to lead")
            .define(DELETE_RETENTION_MS, Type.LONG, 24 * 3600 * 1000L, 0, "How long tombstones are kept")
            .define(MIN_COMPACTION_LAG_MS, Type.LONG, 0L, 0, "Minimum age before a record may be compacted")
            .define(MIN_CLEANABLE_DIRTY_RATIO, Type.DOUBLE, 0.5, 0, "Dirty ratio that triggers cleaning")
            .define(FILE_DELETE_DELAY_MS, Type.LONG, 60000L, 0, "Delay before deleted segment files are removed")
            .define(
                    MESSAGE_TIMESTAMP_BEFORE_MAX_MS,
                    Type.LONG,
                    Long.MAX_VALUE,
                    0,
                    "How far a CreateTime record timestamp may lie before the broker's clock")
            .define(
                    MESSAGE_TIMESTAMP_AFTER_MAX_MS,
                    Type.LONG,
                    3_600_000L,
                    0,
                    "How far a CreateTime record timestamp may lie after the broker's clock");

    private final Map<String, Object> values;
    private final Map<String, String> overrides;

    private LogConfig(Map<String, Object> values, Map<String, String> overrides) {
        this.values = values;
        this.overrides = overrides;
    }

    /** The config with every key at Kafka's default. */
    public static LogConfig defaults() {
        return of(Map.of(), Map.of());
    }

    /**
     * Builds a topic's effective config.
     *
     * @param brokerDefaults topic-level key -> value, already translated from the broker's {@code log.*} keys
     * @param overrides topic-level overrides as stored for the topic; validated here
     * @throws dev.skein.broker.common.config.ConfigException naming an unknown key or invalid value
     */
    public static LogConfig of(Map<String, String> brokerDefaults, Map<String, String> overrides) {
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            TOPIC_CONFIG.parseValue(e.getKey(), e.getValue());
        }
        Map<String, String> merged = new LinkedHashMap<>(brokerDefaults);
        merged.putAll(overrides);
        return new LogConfig(TOPIC_CONFIG.parse(merged), Map.copyOf(overrides));
    }

    public int segmentBytes() {
        return (Integer) values.get(SEGMENT_BYTES);
    }

    public long segmentMs() {
        return (Long) values.get(SEGMENT_MS);
    }

    public long retentionMs() {
        return (Long) values.get(RETENTION_MS);
    }

    public long retentionBytes() {
        return (Long) values.get(RETENTION_BYTES);
    }

    public long flushMessages() {
        return (Long) values.get(FLUSH_MESSAGES);
    }

    public long flushMs() {
        return (Long) values.get(FLUSH_MS);
    }

    public int indexIntervalBytes() {
        return (Integer) values.get(INDEX_INTERVAL_BYTES);
    }

    public int segmentIndexBytes() {
        return (Integer) values.get(SEGMENT_INDEX_BYTES);
    }

    public int maxMessageBytes() {
        return (Integer) values.get(MAX_MESSAGE_BYTES);
    }

    public boolean compact() {
        return ((String) values.get(CLEANUP_POLICY)).contains("compact");
    }

    public boolean delete() {
        return ((String) values.get(CLEANUP_POLICY)).contains("delete");
    }

    public long deleteRetentionMs() {
        return (Long) values.get(DELETE_RETENTION_MS);
    }

    public long minCompactionLagMs() {
        return (Long) values.get(MIN_COMPACTION_LAG_MS);
    }

    public double minCleanableDirtyRatio() {
        return (Double) values.get(MIN_CLEANABLE_DIRTY_RATIO);
    }

    public long fileDeleteDelayMs() {
        return (Long) values.get(FILE_DELETE_DELAY_MS);
    }

    public long messageTimestampBeforeMaxMs() {
        return (Long) values.get(MESSAGE_TIMESTAMP_BEFORE_MAX_MS);
    }

    public long messageTimestampAfterMaxMs() {
        return (Long) values.get(MESSAGE_TIMESTAMP_AFTER_MAX_MS);
    }

    public boolean logAppendTime() {
        return ((String) values.get(MESSAGE_TIMESTAMP_TYPE)).equalsIgnoreCase("LogAppendTime");
    }

    public boolean uncleanLeaderElectionEnable() {
        return Boolean.parseBoolean(String.valueOf(values.get(UNCLEAN_LEADER_ELECTION_ENABLE)));
    }

    public int minInSyncReplicas() {
        return (Integer) values.get(MIN_IN_SYNC_REPLICAS);
    }

    /** Effective value of a topic key, rendered as Kafka's DescribeConfigs does. */
    public String valueString(String key) {
        return String.valueOf(values.get(key));
    }

    /** The overrides stored for the topic (the rest comes from broker defaults). */
    public Map<String, String> overrides() {
        return overrides;
    }

    @Override
    public String toString() {
        return "LogConfig" + values;
    }
}
