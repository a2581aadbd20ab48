package dev.skein.broker.config;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;
import dev.skein.broker.common.config.ConfigException;
import dev.skein.broker.common.config.ConfigValues;
import dev.skein.broker.group.GroupConfig;
import dev.skein.broker.group.GroupConfigs;
import dev.skein.broker.log.LogCleaner;
import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogConfigs;
import dev.skein.broker.network.Listener;
import dev.skein.broker.network.SocketServerConfigs;
import dev.skein.broker.partition.TopicPolicy;
import dev.skein.broker.replica.ReplicationConfigs;
import dev.skein.broker.txn.coordinator.TransactionConfig;
import dev.skein.broker.txn.coordinator.TransactionConfigs;
import java.nio.file.Path;
import java.util.Map;

/**
 * Broker configuration under Kafka's broker property names, plus {@code skein.*} keys for what is Skein's own. Each
 * subsystem declares its own keys ({@link SocketServerConfigs}, {@link LogConfigs}, {@link GroupConfigs},
 * {@link ReplicationConfigs}, {@link TopicPolicy}); this class declares the server-wide rest (identity, ZooKeeper,
 * controller, producer ids) and composes them into {@link #BROKER_CONFIG}. Built once at start-up by
 * {@link #from(Map)}; any invalid value fails there with a {@link ConfigException} naming the key. Immutable.
 */
public final class BrokerConfig {
    public static final String BROKER_ID = "broker.id";
    public static final String LOG_DIRS = "log.dirs";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String EMBEDDED_ZOOKEEPER_PORT = "skein.zookeeper.embedded.port";
    public static final String BROKER_RACK = "broker.rack";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String CLUSTER_ID = "skein.cluster.id";
    public static final String CONTROLLED_SHUTDOWN_ENABLE = "controlled.shutdown.enable";
    public static final String CONTROLLED_SHUTDOWN_TIMEOUT_MS = "skein.controlled.shutdown.timeout.ms";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String FETCH_MAX_WAIT_MS = "skein.fetch.max.wait.ms";

    /** Every broker key, each declared once by its owner. */
    public static final ConfigDef BROKER_CONFIG = brokerDef();

    private final ConfigValues values;
    private final Map<String, String> logDefaults;

    private BrokerConfig(ConfigValues values, Map<String, String> logDefaults) {
        this.values = values;
        this.logDefaults = logDefaults;
    }

    private static ConfigDef brokerDef() {
        ConfigDef def = new ConfigDef()
                .define(BROKER_ID, Type.INT, 0, 0, "Id of this broker in the cluster")
                .define(LOG_DIRS, Type.STRING, "./data", "Directory holding partition logs and broker state")
                .define(ZOOKEEPER_CONNECT, Type.STRING, "", "External ZooKeeper ensemble; empty starts an embedded one")
                .define(ZOOKEEPER_SESSION_TIMEOUT_MS, Type.INT, 18000, 1000, "ZooKeeper session timeout")
                .define(
                        EMBEDDED_ZOOKEEPER_PORT,
                        Type.INT,
                        2181,
                        0,
                        "Client port of the embedded ZooKeeper; 0 picks one")
                .define(BROKER_RACK, Type.STRING, "", "Rack of this broker, for rack-aware assignment")
                .define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, "Create a topic on first metadata request")
                .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, "Allow DeleteTopics")
                .define(CLUSTER_ID, Type.STRING, "", "Cluster id to create if ZooKeeper has none")
                .define(CONTROLLED_SHUTDOWN_ENABLE, Type.BOOLEAN, true, "Move leadership off a broker before it stops")
                .define(
                        CONTROLLED_SHUTDOWN_TIMEOUT_MS,
                        Type.LONG,
                        10_000L,
                        0,
                        "Longest a stopping broker waits for the controller to move its leadership")
                .define(
                        PRODUCER_ID_EXPIRATION_MS,
                        Type.INT,
                        86_400_000,
                        1,
                        "A producer id without writes for this long is forgotten by a partition")
                .define(
                        PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS,
                        Type.INT,
                        600_000,
                        1,
                        "Period of the expired-producer-id check")
                .define(
                        FETCH_MAX_WAIT_MS,
                        Type.INT,
                        30_000,
                        0,
                        "Longest a fetch waits for data, whatever MaxWaitMs the client asks");
        SocketServerConfigs.define(def);
        TopicPolicy.define(def);
        GroupConfigs.define(def);
        TransactionConfigs.define(def);
        ReplicationConfigs.define(def);
        LogConfigs.define(def);
        return def;
    }

    /**
     * Parses and validates broker properties. Unknown keys are ignored, as Kafka does for keys of other
     * components.
     */
    public static BrokerConfig from(Map<String, String> props) {
        ConfigValues values = ConfigValues.parse(BROKER_CONFIG, props);
        Map<String, String> logDefaults = LogConfigs.topicDefaults(values);
        SocketServerConfigs.validate(values);
        return new BrokerConfig(values, logDefaults);
    }

    public int brokerId() {
        return values.getInt(BROKER_ID);
    }

    public long replicaLagTimeMaxMs() {
        return values.getLong(ReplicationConfigs.REPLICA_LAG_TIME_MAX_MS);
    }

    public int replicaFetchMaxBytes() {
        return values.getInt(ReplicationConfigs.REPLICA_FETCH_MAX_BYTES);
    }

    public int numReplicaFetchers() {
        return values.getInt(ReplicationConfigs.NUM_REPLICA_FETCHERS);
    }

    public int replicaFetchWaitMaxMs() {
        return values.getInt(ReplicationConfigs.REPLICA_FETCH_WAIT_MAX_MS);
    }

    public int replicaSocketTimeoutMs() {
        return values.getInt(ReplicationConfigs.REPLICA_SOCKET_TIMEOUT_MS);
    }

    /** Period of the preferred-leader check in ms, or 0 when auto.leader.rebalance.enable is false. */
    public long leaderRebalanceIntervalMs() {
        return values.getBoolean(ReplicationConfigs.AUTO_LEADER_REBALANCE_ENABLE)
                ? values.getLong(ReplicationConfigs.LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS) * 1000
                : 0;
    }

    public boolean controlledShutdownEnable() {
        return values.getBoolean(CONTROLLED_SHUTDOWN_ENABLE);
    }

    public long controlledShutdownTimeoutMs() {
        return values.getLong(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
    }

    /** Defaults, floors and caps for topics that clients create or change. */
    public TopicPolicy topicPolicy() {
        return TopicPolicy.from(values, logDefaults);
    }

    /** The group coordinator's settings ({@code group.*}, {@code offsets.*}). */
    public GroupConfig groupConfig() {
        return GroupConfigs.groupConfig(values);
    }

    /** The transaction coordinator's settings ({@code transaction.*}, {@code transactional.id.*}). */
    public TransactionConfig transactionConfig() {
        return TransactionConfigs.transactionConfig(values);
    }

    /** The listener the broker binds. */
    public Listener listener() {
        return SocketServerConfigs.listener(values);
    }

    /** The advertised listener, or null to derive it from the bound address. */
    public Listener advertisedListener() {
        return SocketServerConfigs.advertisedListener(values);
    }

    public Path dataDir() {
        return Path.of(values.getString(LOG_DIRS));
    }

    /** External ZooKeeper connect string, or empty to start the embedded one. */
    public String zookeeperConnect() {
        return values.getString(ZOOKEEPER_CONNECT);
    }

    public int zookeeperSessionTimeoutMs() {
        return values.getInt(ZOOKEEPER_SESSION_TIMEOUT_MS);
    }

    public int embeddedZookeeperPort() {
        return values.getInt(EMBEDDED_ZOOKEEPER_PORT);
    }

    public String rack() {
        return values.getString(BROKER_RACK);
    }

    public boolean autoCreateTopics() {
        return values.getBoolean(AUTO_CREATE_TOPICS_ENABLE);
    }

    public boolean deleteTopicEnable() {
        return values.getBoolean(DELETE_TOPIC_ENABLE);
    }

    public int socketRequestMaxBytes() {
        return values.getInt(SocketServerConfigs.SOCKET_REQUEST_MAX_BYTES);
    }

    public int numNetworkThreads() {
        return values.getInt(SocketServerConfigs.NUM_NETWORK_THREADS);
    }

    public int numIoThreads() {
        return values.getInt(SocketServerConfigs.NUM_IO_THREADS);
    }

    public int maxConnections() {
        return values.getInt(SocketServerConfigs.MAX_CONNECTIONS);
    }

    public int maxConnectionsPerIp() {
        return values.getInt(SocketServerConfigs.MAX_CONNECTIONS_PER_IP);
    }

    public long connectionsMaxIdleMs() {
        return values.getLong(SocketServerConfigs.CONNECTIONS_MAX_IDLE_MS);
    }

    /** See {@link SocketServerConfigs#queuedMaxRequestBytes}. */
    public long queuedMaxRequestBytes() {
        return SocketServerConfigs.queuedMaxRequestBytes(values);
    }

    public long retentionCheckIntervalMs() {
        return values.getLong(LogConfigs.LOG_RETENTION_CHECK_INTERVAL_MS);
    }

    public long flushSchedulerIntervalMs() {
        return values.getLong(LogConfigs.LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    /** {@code log.cleaner.*}: whether and how the background log compaction runs. */
    public LogCleaner.Settings cleanerSettings() {
        return LogConfigs.cleanerSettings(values);
    }

    public boolean durableAck() {
        return values.getBoolean(LogConfigs.DURABLE_ACK);
    }

    public long stateCommitIntervalMs() {
        return values.getLong(LogConfigs.STATE_COMMIT_INTERVAL_MS);
    }

    public String clusterId() {
        return values.getString(CLUSTER_ID);
    }

    /** How long a producer id without writes is remembered by a partition. */
    public long producerIdExpirationMs() {
        return values.getInt(PRODUCER_ID_EXPIRATION_MS);
    }

    /** Period of the expired-producer-id check. */
    public long producerIdExpirationCheckIntervalMs() {
        return values.getInt(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS);
    }

    /** The longest a fetch waits for data, whatever the client asks. */
    public int fetchMaxWaitMs() {
        return values.getInt(FETCH_MAX_WAIT_MS);
    }

    /** Topic-level key -> broker default, for {@link LogConfig#of(Map, Map)}. */
    public Map<String, String> logDefaults() {
        return logDefaults;
    }

    /** A topic's effective log config: its overrides on this broker's defaults. */
    public LogConfig logConfig(Map<String, String> topicOverrides) {
        return LogConfig.of(logDefaults, topicOverrides);
    }

    /** Whether {@code key} was given in the broker's properties rather than left at its default. */
    public boolean isExplicit(String key) {
        return values.isExplicit(key);
    }

    /** The value of a declared broker key, rendered as DescribeConfigs shows it. */
    public String valueString(String key) {
        return values.valueString(key);
    }
}
