package dev.skein.broker.group;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;
import dev.skein.broker.common.config.ConfigValues;

/**
 * The broker keys of the group coordinator (Kafka's {@code GroupCoordinatorConfig}): {@code __consumer_offsets} and
 * group membership bounds. Declared once here; {@link #groupConfig} reads them into a {@link GroupConfig}.
 */
public final class GroupConfigs {
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String OFFSETS_TOPIC_SEGMENT_BYTES = "offsets.topic.segment.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";

    private GroupConfigs() {}

    /** Declares the group coordinator's keys in {@code def}. */
    public static void define(ConfigDef def) {
        def.define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, 50, 1, "Partitions of __consumer_offsets")
                .define(
                        OFFSETS_TOPIC_REPLICATION_FACTOR,
                        Type.INT,
                        3,
                        1,
                        "Replication factor of __consumer_offsets; capped at the live brokers when it is created")
                .define(
                        OFFSETS_TOPIC_SEGMENT_BYTES,
                        Type.INT,
                        100 * 1024 * 1024,
                        1,
                        "Segment size of __consumer_offsets")
                .define(OFFSETS_RETENTION_MINUTES, Type.INT, 10080, 1, "How long an empty group keeps its offsets")
                .define(
                        OFFSETS_RETENTION_CHECK_INTERVAL_MS,
                        Type.LONG,
                        600_000L,
                        1,
                        "Period of the expired-offsets check")
                .define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, 0, "Largest metadata string of a committed offset")
                .define(
                        GROUP_INITIAL_REBALANCE_DELAY_MS,
                        Type.INT,
                        3000,
                        0,
                        "Wait for more members before the first rebalance of an empty group")
                .define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6000, 0, "Smallest session timeout a member may ask")
                .define(
                        GROUP_MAX_SESSION_TIMEOUT_MS,
                        Type.INT,
                        1_800_000,
                        0,
                        "Largest session timeout a member may ask")
                .define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, 1, "Most members a group may have");
    }

    /** The group coordinator's settings from parsed broker values. */
    public static GroupConfig groupConfig(ConfigValues values) {
        return new GroupConfig(
                values.getInt(OFFSETS_TOPIC_NUM_PARTITIONS),
                (short) values.getInt(OFFSETS_TOPIC_REPLICATION_FACTOR),
                values.getInt(OFFSETS_TOPIC_SEGMENT_BYTES),
                values.getInt(OFFSETS_RETENTION_MINUTES) * 60_000L,
                values.getLong(OFFSETS_RETENTION_CHECK_INTERVAL_MS),
                values.getInt(OFFSET_METADATA_MAX_BYTES),
                values.getInt(GROUP_INITIAL_REBALANCE_DELAY_MS),
                values.getInt(GROUP_MIN_SESSION_TIMEOUT_MS),
                values.getInt(GROUP_MAX_SESSION_TIMEOUT_MS),
                values.getInt(GROUP_MAX_SIZE));
    }
}
