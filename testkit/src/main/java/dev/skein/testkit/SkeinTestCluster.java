package dev.skein.testkit;

import dev.skein.broker.Broker;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.txn.TransactionVerifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * Several in-process {@link Broker}s sharing one external ZooKeeper (Curator's {@link TestingServer}, which a test can
 * stop and restart), each with its own data directory under a root the caller owns and an ephemeral Kafka port.
 * Waits are on metadata-cache notifications, never sleeps. {@link #close()} stops clients, brokers and ZooKeeper; the
 * brokers' ports are known to {@link LeakCheck}. Not thread-safe: the test thread drives it.
 *
 * <p>Open for extension only so that a package of tests can keep a short name for it (the broker core's
 * {@code ClusterHarness}); it adds no behaviour.
 */
public class SkeinTestCluster implements AutoCloseable {
    /** How long the waits of this class wait before they fail the test. */
    public static final long WAIT_MS = 30_000;

    private final TestingServer zookeeper;
    private final Path root;
    private final Map<String, String> overrides;
    private final Map<Integer, Broker> brokers = new TreeMap<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    /** Answers the partition leaders' transaction verifications when set (null: the brokers' own). */
    private TransactionVerifier verifier;

    /** A cluster with a started ZooKeeper and no broker yet; {@link #startBrokers} starts them. */
    protected SkeinTestCluster(Path root, Map<String, String> overrides) throws Exception {
        this.zookeeper = new TestingServer(true);
        this.root = root;
        this.overrides = Map.copyOf(overrides);
    }

    /**
     * Starts ZooKeeper and brokers {@code 1..brokerCount} with data under {@code root}; broker config {@code
     * overrides} win over this kit's defaults (see {@link #startBroker}).
     */
    public static SkeinTestCluster start(Path root, int brokerCount, Map<String, String> overrides) throws Exception {
        return new SkeinTestCluster(root, overrides).startBrokers(brokerCount);
    }

    /**
     * Like {@link #start(Path, int, Map)}, every broker's partition leaders asking {@code verifier} instead of the
     * cluster's transaction coordinator whether a transactional batch may be appended.
     */
    public static SkeinTestCluster start(
            Path root, int brokerCount, Map<String, String> overrides, TransactionVerifier verifier) throws Exception {
        return new SkeinTestCluster(root, overrides).withVerifier(verifier).startBrokers(brokerCount);
    }

    /** Sets the verifier of the brokers started from now on (null: their own coordinator). */
    protected final SkeinTestCluster withVerifier(TransactionVerifier verifier) {
        this.verifier = verifier;
        return this;
    }

    /** Starts brokers {@code 1..brokerCount}; closes everything if one fails to start. */
    protected final <C extends SkeinTestCluster> C startBrokers(int brokerCount) throws Exception {
        try {
            for (int id = 1; id <= brokerCount; id++) {
                startBroker(id);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        @SuppressWarnings("unchecked")
        C self = (C) this;
        return self;
    }

    /**
     * Starts broker {@code id} (again) on its data directory: ephemeral Kafka port, this cluster's ZooKeeper, a 6 s
     * session timeout, 100 ms replica fetch waits, an offsets topic of replication factor 1, then the overrides.
     */
    public Broker startBroker(int id) throws IOException {
        Map<String, String> props = new HashMap<>();
        props.put("broker.id", Integer.toString(id));
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", root.resolve("broker-" + id).toString());
        props.put("zookeeper.connect", zookeeper.getConnectString());
        props.put("zookeeper.session.timeout.ms", "6000");
        props.put("replica.fetch.wait.max.ms", "100");
        props.put("offsets.topic.replication.factor", "1");
        props.putAll(overrides);
        Broker broker = Broker.start(BrokerConfig.from(props), Time.SYSTEM, verifier);
        brokers.put(id, broker);
        LeakCheck.brokerStarted(broker.port());
        return broker;
    }

    /** Stops broker {@code id} (its data stays); nothing if it is not running. */
    public void stopBroker(int id) {
        Broker broker = brokers.remove(id);
        if (broker != null) {
            broker.close();
            LeakCheck.brokerClosed(broker.port());
        }
    }

    /** Stops the ZooKeeper server (its data is kept): every broker loses its connection. */
    public void stopZooKeeper() throws IOException {
        zookeeper.stop();
    }

    /** Starts the ZooKeeper server stopped by {@link #stopZooKeeper} again, on the same port and data. */
    public void restartZooKeeper() throws Exception {
        zookeeper.restart();
    }

    /** The connect string of this cluster's ZooKeeper. */
    public String zookeeperConnect() {
        return zookeeper.getConnectString();
    }

    /** Broker {@code id}, or null when it is not running. */
    public Broker broker(int id) {
        return brokers.get(id);
    }

    /** Ids of the running brokers, ascending. */
    public List<Integer> liveIds() {
        return List.copyOf(brokers.keySet());
    }

    /** The running broker with the lowest id. */
    public Broker anyBroker() {
        return brokers.values().iterator().next();
    }

    /** The bootstrap string of every running broker. */
    public String bootstrap() {
        return brokers.values().stream()
                .map(broker -> "127.0.0.1:" + broker.port())
                .collect(Collectors.joining(","));
    }

    /** The partition's state as the first live broker sees it (call once the topic is known, e.g. after a wait). */
    public PartitionState state(TopicPartition tp) {
        return stateSeenBy(anyBroker(), tp);
    }

    private static PartitionState stateSeenBy(Broker broker, TopicPartition tp) {
        return broker.metadata()
                .topic(tp.topic())
                .map(t -> t.partitions().get(tp.partition()))
                .orElse(null);
    }

    /**
     * Waits until {@code condition} holds on every live broker's own view of {@code tp} (each wait is woken by that
     * broker's metadata changes); fails the test otherwise.
     */
    public void await(String what, TopicPartition tp, Predicate<PartitionState> condition) throws InterruptedException {
        for (Broker broker : List.copyOf(brokers.values())) {
            Supplier<Boolean> holds = () -> {
                PartitionState state = stateSeenBy(broker, tp);
                return state != null && condition.test(state);
            };
            if (!broker.metadata().awaitMetadata(holds, WAIT_MS)) {
                throw new AssertionError("Timed out waiting until " + what + " on broker "
                        + broker.config().brokerId() + "; state: " + describeAll());
            }
        }
    }

    /**
     * Waits until every live broker sees the same live leader of {@code tp} and returns it. The brokers' caches
     * change independently, so each wait is woken by the first broker's changes or re-checks after a short slice.
     */
    public int awaitLeader(TopicPartition tp) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000;
        while (true) {
            int agreed = agreedLeader(tp);
            if (agreed >= 0) {
                return agreed;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No agreed live leader of " + tp + "; state: " + describeAll());
            }
            anyBroker().metadata().awaitMetadata(() -> agreedLeader(tp) >= 0, 100);
        }
    }

    private int agreedLeader(TopicPartition tp) {
        int leader = leaderSeenBy(anyBroker(), tp);
        if (!brokers.containsKey(leader)) {
            return -1;
        }
        for (Broker broker : brokers.values()) {
            if (leaderSeenBy(broker, tp) != leader) {
                return -1;
            }
        }
        return leader;
    }

    private static int leaderSeenBy(Broker broker, TopicPartition tp) {
        return broker.metadata()
                .topic(tp.topic())
                .map(t -> t.partitions().get(tp.partition()).leader())
                .orElse(-1);
    }

    private String describeAll() {
        return anyBroker().metadata().topics().stream()
                .map(t -> t.name() + t.partitions().values())
                .collect(Collectors.joining("; "));
    }

    /** Creates a topic and returns once the controller answered. */
    public void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor).configs(configs)))
                    .all()
                    .get();
        }
    }

    /** A bytes producer with acks=all plus {@code extra}; closed with the cluster. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(extra);
        return track(new KafkaProducer<>(props));
    }

    /** A bytes consumer from the earliest offset, without auto-commit; closed with the cluster. */
    public KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return track(new KafkaConsumer<>(props));
    }

    /** An Admin client; closed with the cluster. */
    public Admin admin() {
        return track(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap())));
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    /** Closes the clients, then the brokers, then ZooKeeper; each step runs even if an earlier one failed. */
    @Override
    public void close() throws Exception {
        try {
            for (AutoCloseable client : clients) {
                client.close();
            }
            clients.clear();
        } finally {
            try {
                for (int id : List.copyOf(brokers.keySet())) {
                    stopBroker(id);
                }
            } finally {
                zookeeper.close();
            }
        }
    }
}
