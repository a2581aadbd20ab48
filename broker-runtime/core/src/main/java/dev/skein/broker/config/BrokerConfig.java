package dev.skein.broker.config;

import dev.skein.broker.config.ConfigDef.Type;
import dev.skein.broker.log.LogCleaner;
import dev.skein.broker.log.LogConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Broker configuration under Kafka's broker property names, plus {@code skein.*} keys for what is Skein's own.
 * Built once at start-up by {@link #from(Map)}; any invalid value fails there with a {@link ConfigException} naming
 * the key. Immutable.
 */
public final class BrokerConfig {
    public static final String BROKER_ID = "broker.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LOG_DIRS = "log.dirs";
    public static final String ZOOKEEPER_CONNECT = "zookeeper.connect";
    public static final String ZOOKEEPER_SESSION_TIMEOUT_MS = "zookeeper.session.timeout.ms";
    public static final String EMBEDDED_ZOOKEEPER_PORT = "skein.zookeeper.embedded.port";
    public static final String BROKER_RACK = "broker.rack";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String DURABLE_ACK = "skein.durable.ack";
    public static final String STATE_COMMIT_INTERVAL_MS = "skein.state.commit.interval.ms";
    public static final String CLUSTER_ID = "skein.cluster.id";
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
    public static final String REPLICA_LAG_TIME_MAX_MS = "replica.lag.time.max.ms";
    public static final String REPLICA_FETCH_MAX_BYTES = "replica.fetch.max.bytes";
    public static final String REPLICA_FETCH_WAIT_MAX_MS = "replica.fetch.wait.max.ms";
    public static final String REPLICA_SOCKET_TIMEOUT_MS = "replica.socket.timeout.ms";
    public static final String NUM_REPLICA_FETCHERS = "num.replica.fetchers";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS = "leader.imbalance.check.interval.seconds";
    public static final String CONTROLLED_SHUTDOWN_ENABLE = "controlled.shutdown.enable";
    public static final String CONTROLLED_SHUTDOWN_TIMEOUT_MS = "skein.controlled.shutdown.timeout.ms";
    public static final String TOPIC_SEGMENT_BYTES_MIN = "skein.topic.segment.bytes.min";
    public static final String TOPIC_SEGMENT_INDEX_BYTES_MIN = "skein.topic.segment.index.bytes.min";
    // Bounded resources: what any client's requests may make the broker hold.
    public static final String QUEUED_MAX_REQUEST_BYTES = "queued.max.request.bytes";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String MAX_PARTITIONS_PER_REQUEST = "skein.max.partitions.per.request";
    public static final String MAX_PARTITIONS_PER_BROKER = "skein.max.partitions.per.broker";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String FETCH_MAX_WAIT_MS = "skein.fetch.max.wait.ms";

    public static final ConfigDef BROKER_CONFIG = brokerDef();

    private final Map<String, Object> values;
    private final Map<String, String> logDefaults;
    private final Set<String> explicitKeys;

    private BrokerConfig(Map<String, Object> values, Map<String, String> logDefaults, Set<String> explicitKeys) {
        this.values = values;
        this.logDefaults = logDefaults;
        this.explicitKeys = explicitKeys;
    }

    private static ConfigDef brokerDef() {
        ConfigDef def = new ConfigDef()
                .define(BROKER_ID, Type.INT, 0, 0, "Id of this broker in the cluster")
                .define(LISTENERS, Type.STRING, "PLAINTEXT://:9092", "Listener for the Kafka protocol")
                .define(ADVERTISED_LISTENERS, Type.STRING, "", "Listener given to clients, if not 'listeners'")
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
                .define(NUM_PARTITIONS, Type.INT, 1, 1, "Partitions of an auto-created topic")
                .define(DEFAULT_REPLICATION_FACTOR, Type.INT, 1, 1, "Replication factor of an auto-created topic")
                .define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, "Create a topic on first metadata request")
                .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, "Allow DeleteTopics")
                .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 100 * 1024 * 1024, 1, "Largest request frame accepted")
                .define(NUM_NETWORK_THREADS, Type.INT, 2, 1, "Threads doing socket I/O")
                .define(NUM_IO_THREADS, Type.INT, 4, 1, "Threads handling requests")
                .define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300_000L, 1, "Period of the retention check")
                .define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, 1000L, 1, "Period of the flush.ms check")
                .define(LOG_CLEANER_ENABLE, Type.BOOLEAN, true, "Run log compaction for compacted topics")
                .define(
                        LOG_CLEANER_BACKOFF_MS,
                        Type.LONG,
                        LogCleaner.Settings.DEFAULT_BACKOFF_MS,
                        1,
                        "Sleep of the log cleaner when no log needs cleaning")
                .define(
                        LOG_CLEANER_DEDUPE_BUFFER_SIZE,
                        Type.LONG,
                        LogCleaner.Settings.DEFAULT_DEDUPE_BUFFER_BYTES,
                        1024 * 1024,
                        "Memory for the log cleaner's key-to-offset map")
                .define(DURABLE_ACK, Type.BOOLEAN, false, "Acknowledge produce only after an fdatasync covering it")
                .define(STATE_COMMIT_INTERVAL_MS, Type.LONG, 1000L, 1, "Period of the broker-state store commit")
                .define(CLUSTER_ID, Type.STRING, "", "Cluster id to create if ZooKeeper has none")
                .define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, 50, 1, "Partitions of __consumer_offsets")
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
                .define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, 1, "Most members a group may have")
                .define(
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
                        "Period of the preferred-leader check")
                .define(CONTROLLED_SHUTDOWN_ENABLE, Type.BOOLEAN, true, "Move leadership off a broker before it stops")
                .define(
                        CONTROLLED_SHUTDOWN_TIMEOUT_MS,
                        Type.LONG,
                        10_000L,
                        0,
                        "Longest a stopping broker waits for the controller to move its leadership")
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
                        QUEUED_MAX_REQUEST_BYTES,
                        Type.LONG,
                        -1L,
                        -1,
                        "Request bytes held in memory at once, all connections together; -1 = a quarter of the heap")
                .define(MAX_CONNECTIONS, Type.INT, Integer.MAX_VALUE, 1, "Most client connections open at once")
                .define(MAX_CONNECTIONS_PER_IP, Type.INT, Integer.MAX_VALUE, 1, "Most connections from one address")
                .define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600_000L, 1, "Close connections idle this long")
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
                        "Most partition replicas per live broker that topic creation may reach")
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
        // Broker-level defaults of topic configs, e.g. log.segment.bytes for segment.bytes.
        for (Map.Entry<String, String> e : LogConfig.BROKER_DEFAULT_KEYS.entrySet()) {
            ConfigDef.Key topicKey = LogConfig.TOPIC_CONFIG.keys().get(e.getKey());
            if (!def.contains(e.getValue())) {
                def.define(
                        e.getValue(),
                        topicKey.type(),
                        topicKey.defaultValue(),
                        topicKey.min(),
                        topicKey.allowed(),
                        topicKey.doc());
            }
        }
        def.define("log.retention.minutes", Type.LONG, null, -1, "Retention in minutes, if log.retention.ms unset");
        def.define("log.retention.hours", Type.LONG, null, -1, "Retention in hours, if the others are unset");
        def.define("log.roll.hours", Type.LONG, null, 1, "Segment age in hours, if log.roll.ms unset");
        return def;
    }

    /**
     * Parses and validates broker properties. Unknown keys are kept for {@link #raw()} but otherwise ignored, as
     * Kafka does for keys of other components.
     */
    public static BrokerConfig from(Map<String, String> props) {
        Map<String, Object> values = BROKER_CONFIG.parse(props);
        Map<String, String> logDefaults = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : LogConfig.BROKER_DEFAULT_KEYS.entrySet()) {
            logDefaults.put(e.getKey(), String.valueOf(values.get(e.getValue())));
        }
        if (!props.containsKey("log.retention.ms")) {
            Long minutes = (Long) values.get("log.retention.minutes");
            Long hours = (Long) values.get("log.retention.hours");
            if (minutes != null) {
                logDefaults.put(LogConfig.RETENTION_MS, Long.toString(minutes < 0 ? -1 : minutes * 60_000));
            } else if (hours != null) {
                logDefaults.put(LogConfig.RETENTION_MS, Long.toString(hours < 0 ? -1 : hours * 3_600_000));
            }
        }
        if (!props.containsKey("log.roll.ms") && values.get("log.roll.hours") != null) {
            logDefaults.put(LogConfig.SEGMENT_MS, Long.toString((Long) values.get("log.roll.hours") * 3_600_000));
        }
        LogConfig.of(logDefaults, Map.of()); // validates the combination
        BrokerConfig config = new BrokerConfig(values, Map.copyOf(logDefaults), Set.copyOf(props.keySet()));
        config.listener(); // validates the listener syntax
        long queued = (Long) values.get(QUEUED_MAX_REQUEST_BYTES);
        if (queued == 0 || (queued > 0 && queued < config.socketRequestMaxBytes())) {
            throw new ConfigException(
                    QUEUED_MAX_REQUEST_BYTES,
                    String.valueOf(queued),
                    "must be -1 (a quarter of the heap) or at least " + SOCKET_REQUEST_MAX_BYTES + " ("
                            + config.socketRequestMaxBytes() + ")");
        }
        return config;
    }

    /** Host and port parsed from a {@code PLAINTEXT://host:port} listener. Empty host means all interfaces. */
    public record Listener(String securityProtocol, String host, int port) {
        static Listener parse(String key, String text) {
            int scheme = text.indexOf("://");
            int colon = text.lastIndexOf(':');
            if (scheme < 0 || colon <= scheme + 2) {
                throw new ConfigException(key, text, "expected PROTOCOL://host:port, e.g. PLAINTEXT://:9092");
            }
            String protocol = text.substring(0, scheme);
            if (!Set.of("PLAINTEXT").contains(protocol)) {
                throw new ConfigException(key, text, "supported security protocols are [PLAINTEXT]");
            }
            String host = text.substring(scheme + 3, colon);
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(key, text, "the port must be a number from 0 to 65535");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(key, text, "the port must be a number from 0 to 65535");
            }
            return new Listener(protocol, host, port);
        }
    }

    public int brokerId() {
        return (Integer) values.get(BROKER_ID);
    }

    public long replicaLagTimeMaxMs() {
        return (Long) values.get(REPLICA_LAG_TIME_MAX_MS);
    }

    public int replicaFetchMaxBytes() {
        return (Integer) values.get(REPLICA_FETCH_MAX_BYTES);
    }

    public int numReplicaFetchers() {
        return (Integer) values.get(NUM_REPLICA_FETCHERS);
    }

    public int replicaFetchWaitMaxMs() {
        return (Integer) values.get(REPLICA_FETCH_WAIT_MAX_MS);
    }

    public int replicaSocketTimeoutMs() {
        return (Integer) values.get(REPLICA_SOCKET_TIMEOUT_MS);
    }

    /** Period of the preferred-leader check in ms, or 0 when auto.leader.rebalance.enable is false. */
    public long leaderRebalanceIntervalMs() {
        return (Boolean) values.get(AUTO_LEADER_REBALANCE_ENABLE)
                ? (Long) values.get(LEADER_IMBALANCE_CHECK_INTERVAL_SECONDS) * 1000
                : 0;
    }

    public boolean controlledShutdownEnable() {
        return (Boolean) values.get(CONTROLLED_SHUTDOWN_ENABLE);
    }

    public long controlledShutdownTimeoutMs() {
        return (Long) values.get(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
    }

    public int topicSegmentBytesMin() {
        return (Integer) values.get(TOPIC_SEGMENT_BYTES_MIN);
    }

    public int topicSegmentIndexBytesMin() {
        return (Integer) values.get(TOPIC_SEGMENT_INDEX_BYTES_MIN);
    }

    public Listener listener() {
        String text = (String) values.get(LISTENERS);
        if (text.contains(",")) {
            throw new ConfigException(LISTENERS, text, "exactly one listener is supported");
        }
        return Listener.parse(LISTENERS, text);
    }

    /** The advertised listener, or null to derive it from the bound address. */
    public Listener advertisedListener() {
        String text = (String) values.get(ADVERTISED_LISTENERS);
        return text.isBlank() ? null : Listener.parse(ADVERTISED_LISTENERS, text);
    }

    public Path dataDir() {
        return Path.of((String) values.get(LOG_DIRS));
    }

    /** External ZooKeeper connect string, or empty to start the embedded one. */
    public String zookeeperConnect() {
        return (String) values.get(ZOOKEEPER_CONNECT);
    }

    public int zookeeperSessionTimeoutMs() {
        return (Integer) values.get(ZOOKEEPER_SESSION_TIMEOUT_MS);
    }

    public int embeddedZookeeperPort() {
        return (Integer) values.get(EMBEDDED_ZOOKEEPER_PORT);
    }

    public String rack() {
        return (String) values.get(BROKER_RACK);
    }

    public int numPartitions() {
        return (Integer) values.get(NUM_PARTITIONS);
    }

    public short defaultReplicationFactor() {
        return ((Integer) values.get(DEFAULT_REPLICATION_FACTOR)).shortValue();
    }

    public boolean autoCreateTopics() {
        return (Boolean) values.get(AUTO_CREATE_TOPICS_ENABLE);
    }

    public boolean deleteTopicEnable() {
        return (Boolean) values.get(DELETE_TOPIC_ENABLE);
    }

    public int socketRequestMaxBytes() {
        return (Integer) values.get(SOCKET_REQUEST_MAX_BYTES);
    }

    public int numNetworkThreads() {
        return (Integer) values.get(NUM_NETWORK_THREADS);
    }

    public int numIoThreads() {
        return (Integer) values.get(NUM_IO_THREADS);
    }

    public long retentionCheckIntervalMs() {
        return (Long) values.get(LOG_RETENTION_CHECK_INTERVAL_MS);
    }

    public long flushSchedulerIntervalMs() {
        return (Long) values.get(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
    }

    /** {@code log.cleaner.*}: whether and how the background log compaction runs. */
    public LogCleaner.Settings cleanerSettings() {
        return new LogCleaner.Settings(
                (Boolean) values.get(LOG_CLEANER_ENABLE), (Long) values.get(LOG_CLEANER_BACKOFF_MS), (Long)
                        values.get(LOG_CLEANER_DEDUPE_BUFFER_SIZE));
    }

    public boolean durableAck() {
        return (Boolean) values.get(DURABLE_ACK);
    }

    public long stateCommitIntervalMs() {
        return (Long) values.get(STATE_COMMIT_INTERVAL_MS);
    }

    /**
     * {@code queued.max.request.bytes}: bytes of requests held in memory at once. -1 (the default) means a quarter of
     * the JVM's maximum heap (at least 1 MiB): the rest of the heap stays for what requests turn into (responses,
     * index, producer and group state), so no mix of clients can exhaust it with request bytes. A frame larger than
     * the pool is refused like one above {@code socket.request.max.bytes}. An explicit value must be at least
     * {@code socket.request.max.bytes} (Kafka's rule), checked by {@link #from}.
     */
    public long queuedMaxRequestBytes() {
        long configured = (Long) values.get(QUEUED_MAX_REQUEST_BYTES);
        if (configured > 0) {
            return configured;
        }
        return Math.max(1024 * 1024, Runtime.getRuntime().maxMemory() / 4);
    }

    public String clusterId() {
        return (String) values.get(CLUSTER_ID);
    }

    /** Value of an INT key, e.g. one of the {@code group.*} and {@code offsets.*} keys. */
    public int intValue(String key) {
        return (Integer) values.get(key);
    }

    /** Value of a LONG key. */
    public long longValue(String key) {
        return (Long) values.get(key);
    }

    /** Topic-level key -> broker default, for {@link LogConfig#of(Map, Map)}. */
    public Map<String, String> logDefaults() {
        return logDefaults;
    }

    /** A topic's effective log config: its overrides on this broker's defaults. */
    public LogConfig logConfig(Map<String, String> topicOverrides) {
        return LogConfig.of(logDefaults, topicOverrides);
    }

    /**
     * The broker keys that can set a topic key's default, in order of precedence (Kafka's synonyms), e.g.
     * {@code log.retention.ms}, {@code log.retention.minutes}, {@code log.retention.hours} for {@code retention.ms}.
     */
    public static List<String> brokerSynonyms(String topicKey) {
        String primary = LogConfig.BROKER_DEFAULT_KEYS.get(topicKey);
        if (primary == null) {
            return List.of();
        }
        return switch (topicKey) {
            case LogConfig.RETENTION_MS -> List.of(primary, "log.retention.minutes", "log.retention.hours");
            case LogConfig.SEGMENT_MS -> List.of(primary, "log.roll.hours");
            default -> List.of(primary);
        };
    }

    /** Whether {@code key} was given in the broker's properties rather than left at its default. */
    public boolean isExplicit(String key) {
        return explicitKeys.contains(key);
    }

    /** The value of a declared broker key, rendered as DescribeConfigs shows it. */
    public String valueString(String key) {
        return String.valueOf(values.get(key));
    }
}
