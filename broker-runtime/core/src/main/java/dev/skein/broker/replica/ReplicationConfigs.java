package dev.skein.broker.replica;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;

/**
 * The broker keys of replication (Kafka's {@code ReplicationConfigs}): how followers fetch and when they leave the
 * ISR, and the controller's leader balancing. Declared once here.
 */
public final class ReplicationConfigs {
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";

    private ReplicationConfigs() {}

    /** Declares the replication keys in {@code def}. */
    public static void define(ConfigDef def) {
        def.define(
                        REPLICA_LAG_TIME_MAX_MS,
                        Type.LONG,
                        30_000L,
                        1,
                        "A follower not caught up for this long leaves the ISR")
                .define(REPLICA_FETCH_MAX_BYTES, Type.INT, 1024 * 1024, 1, "Bytes a follower asks per partition fetch")
                .define(REPLICA_FETCH_WAIT_MAX_MS, Type.INT, 500, 0, "Longest a follower's fetch waits for new data")
                .define(REPLICA_SOCKET_TIMEOUT_MS, Type.INT, 30_000, 1, "Read timeout of a follower's connection")
                .define(
                        NUM_REPLICA_FETCHERS,
                        Type.INT,
                        1,
                        1,
                        "Fetcher threads per leader broker; partitions are spread over them by hash")
                .define(
                        AUTO_LEADER_REBALANCE_ENABLE,
                        Type.BOOLEAN,
                        true,
                        "The controller moves leadership back to preferred replicas periodically")
                .define(
                        LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS,
                        Type.LONG,
                        300L,
                        1,
                        "Period of the preferred-leader check");
    }
}
