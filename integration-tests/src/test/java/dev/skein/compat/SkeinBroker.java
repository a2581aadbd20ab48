package dev.skein.compat;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process Skein broker (embedded ZooKeeper and Kafka listener on ephemeral ports, data under a test
 * directory) plus the Java clients a test opened against it. {@link #close()} closes the clients, then the broker.
 * Not thread-safe: a test class drives it from its test thread.
 *
 * <p>A test class that needs one broker for all its tests registers {@link #perTestClass()} on a static field with
 * {@code @RegisterExtension}: the broker starts, on a fresh temporary directory, before the class's
 * {@code @BeforeAll} methods and is closed, its directory deleted, after the last test.
 */
final class SkeinBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private Path dataDir;
    private final Map<String, String> overrides;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private Broker broker;

    private SkeinBroker(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = overrides;
    }

    /** A broker for one test class, started and stopped by JUnit (see the class comment). */
    static SkeinBroker perTestClass() {
        return new SkeinBroker(null, Map.of());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("skein-compat-");
        broker = Broker.start(BrokerConfig.from(brokerProps()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            close();
        } finally {
            try (var paths = Files.walk(dataDir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    static SkeinBroker start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    static SkeinBroker start(Path dataDir, Map<String, String> overrides) throws IOException {
        SkeinBroker skein = new SkeinBroker(dataDir, overrides);
        skein.broker = Broker.start(BrokerConfig.from(skein.brokerProps()));
        return skein;
    }

    private Map<String, String> brokerProps() {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dataDir.toString());
        props.put("skein.zookeeper.embedded.port", "0");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.putAll(overrides);
        return props;
    }

    /** Stops the broker (clients stay open) and starts it again on the same data directory. */
    void restart() throws IOException {
        broker.close();
        broker = Broker.start(BrokerConfig.from(brokerProps()));
    }

    String bootstrap() {
        return "127.0.0.1:" + broker.port();
    }

    KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.putAll(extra);
        return track(new KafkaProducer<>(props));
    }

    KafkaConsumer<String, String> consumer(Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(extra);
        return track(new KafkaConsumer<>(props));
    }

    Admin admin() {
        return track(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap())));
    }

    void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
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
        clients.clear();
        if (broker != null) {
            broker.close();
        }
    }
}
