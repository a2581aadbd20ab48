package dev.skein.broker.it;

import dev.skein.broker.Broker;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.config.BrokerConfig;
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

/**
 * Several in-process {@link Broker}s sharing one Curator {@link TestingServer}, each with its own data directory and
 * an ephemeral port. Waits are on metadata-cache notifications, never sleeps. Closing stops clients, brokers and
 * ZooKeeper.
 */
final class ClusterHarness implements AutoCloseable {
    static final long WAIT_MS = 30_000;

    private final TestingServer zookeeper;
    private final Path root;
    private final Map<String, String> overrides;
    private final Map<Integer, Broker> brokers = new TreeMap<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    private ClusterHarness(TestingServer zookeeper, Path root, Map<String, String> overrides) {
        this.zookeeper = zookeeper;
        this.root = root;
        this.overrides = overrides;
    }

    static ClusterHarness start(Path root, int brokerCount, Map<String, String> overrides) throws Exception {
        ClusterHarness cluster = new ClusterHarness(new TestingServer(true), root, overrides);
        try {
            for (int id = 1; id <= brokerCount; id++) {
                cluster.startBroker(id);
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    Broker startBroker(int id) throws IOException {
        Map<String, String> props = new HashMap<>();
        props.put("broker.id", Integer.toString(id));
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", root.resolve("broker-" + id).toString());
        props.put("zookeeper.connect", zookeeper.getConnectString());
        props.put("zookeeper.session.timeout.ms", "6000");
        props.put("replica.fetch.wait.max.ms", "100");
        props.put("offsets.topic.replication.factor", "1");
        props.putAll(overrides);
        Broker broker = Broker.start(BrokerConfig.from(props));
        brokers.put(id, broker);
        return broker;
    }

    void stopBroker(int id) {
        Broker broker = brokers.remove(id);
        if (broker != null) {
            broker.close();
        }
    }

    /** Stops the ZooKeeper server (its data is kept): every broker loses its connection. */
    void stopZooKeeper() throws IOException {
        zookeeper.stop();
    }

    /** Starts the ZooKeeper server stopped by {@link #stopZooKeeper} again, on the same port and data. */
    void restartZooKeeper() throws Exception {
        zookeeper.restart();
    }

    String zookeeperConnect() {
        return zookeeper.getConnectString();
    }

    Broker broker(int id) {
        return brokers.get(id);
    }

    List<Integer> liveIds() {
        return List.copyOf(brokers.keySet());
    }

    Broker anyBroker() {
        return brokers.values().iterator().next();
    }

    String bootstrap() {
        return brokers.values().stream()
                .map(broker -> "127.0.0.1:" + broker.port())
                .collect(Collectors.joining(","));
    }

    /** The partition's state as the first live broker sees it (call once the topic is known, e.g. after a wait). */
    PartitionState state(TopicPartition tp) {
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
    void await(String what, TopicPartition tp, Predicate<PartitionState> condition) throws InterruptedException {
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
    int awaitLeader(TopicPartition tp) throws InterruptedException {
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

    void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) replicationFactor).configs(configs)))
                    .all()
                    .get();
        }
    }

    KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(extra);
        return track(new KafkaProducer<>(props));
    }

    KafkaConsumer<byte[], byte[]> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return track(new KafkaConsumer<>(props));
    }

    Admin admin() {
        return track(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap())));
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        for (int id : List.copyOf(brokers.keySet())) {
            stopBroker(id);
        }
        zookeeper.close();
    }
}
