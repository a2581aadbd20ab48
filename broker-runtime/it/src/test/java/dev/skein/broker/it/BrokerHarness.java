package dev.skein.broker.it;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Starts a real broker (embedded ZooKeeper on an ephemeral port, data in a test directory, Kafka listener on an
 * ephemeral port) and real kafka-clients against it; {@link #close()} closes every client and the broker.
 */
final class BrokerHarness implements AutoCloseable {
    private final Path dataDir;
    private final Map<String, String> overrides;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private Broker broker;

    private BrokerHarness(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = overrides;
    }

    static BrokerHarness start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    static BrokerHarness start(Path dataDir, Map<String, String> overrides) throws IOException {
        BrokerHarness harness = new BrokerHarness(dataDir, overrides);
        harness.broker = Broker.start(BrokerConfig.from(harness.brokerProps()));
        return harness;
    }

    Map<String, String> brokerProps() {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dataDir.toString());
        props.put("skein.zookeeper.embedded.port", "0");
        props.putAll(overrides);
        return props;
    }

    /** Stops the broker (clients stay open) and starts it again on the same data directory. */
    void restart() throws IOException {
        broker.close();
        broker = Broker.start(BrokerConfig.from(brokerProps()));
    }

    /** What a test does to the data directory while the broker is stopped. */
    interface WhileStopped {
        void run() throws Exception;
    }

    /** Stops the broker, runs {@code whileStopped}, then starts it again on the same data directory. */
    void restart(WhileStopped whileStopped) throws Exception {
        broker.close();
        broker = null;
        whileStopped.run();
        broker = Broker.start(BrokerConfig.from(brokerProps()));
    }

    Broker broker() {
        return broker;
    }

    String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putAll(extra);
        return track(new KafkaProducer<>(props));
    }

    KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(extra);
        return track(new KafkaConsumer<>(props));
    }

    Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        return track(Admin.create(props));
    }

    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get();
        }
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
        if (broker != null) {
            broker.close();
        }
    }
}
