package dev.skein.testkit;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.txn.TransactionVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Skein broker in the test JVM: embedded ZooKeeper and Kafka listener on ephemeral ports, data in a
 * directory of its own, plus the real kafka-clients a test opens against it. {@link #close()} closes those clients,
 * then the broker, then deletes the data directory if the broker made it.
 *
 * <p>Three ways to use it:
 * <ul>
 *   <li>{@code @RegisterExtension static final SkeinTestBroker skein = SkeinTestBroker.extension();} — one broker for
 *       the test class, started before its {@code @BeforeAll} methods, closed after its last test;
 *   <li>the same on an instance field — a fresh broker for every test;
 *   <li>{@code try (SkeinTestBroker skein = SkeinTestBroker.start(dir)) {...}} — the test decides.
 * </ul>
 * {@link #restart()} stops the broker and starts it again on the same Kafka port and data directory, so clients and
 * bootstrap strings stay valid; {@link #restart(WhileStopped)} also runs a fault hook (corrupt a file, fill a disk)
 * while it is down. Used as an extension, it runs {@link LeakCheck} once it closed the broker (after the class, or
 * after each test for a broker per test) and fails the test on a leaked thread, port, open file or process. Not
 * thread-safe: the test thread drives it; the clients it hands out are as
 * thread-safe as kafka-clients makes them.
 */
public final class SkeinTestBroker
        implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final Map<String, String> overrides;
    private final List<Runnable> closers = new ArrayList<>();
    private Path dataDir;
    private boolean ownsDataDir;
    private boolean startedPerTest;
    private LeakCheck.Snapshot beforeStart;
    private Broker broker;
    private int port;
    /** Answers the partition leaders' transaction verifications when set (null: the broker's own coordinator). */
    private TransactionVerifier verifier;

    private SkeinTestBroker(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = Map.copyOf(overrides);
    }

    /** A broker JUnit starts and stops (see the class comment), with broker config {@code overrides}. */
    public static SkeinTestBroker extension(Map<String, String> overrides) {
        return new SkeinTestBroker(null, overrides);
    }

    /** A broker JUnit starts and stops, with the default config. */
    public static SkeinTestBroker extension() {
        return extension(Map.of());
    }

    /** Starts a broker on {@code dataDir} (the caller owns and deletes the directory). */
    public static SkeinTestBroker start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    /** Starts a broker on {@code dataDir} with broker config {@code overrides} (they win over the test defaults). */
    public static SkeinTestBroker start(Path dataDir, Map<String, String> overrides) throws IOException {
        SkeinTestBroker skein = new SkeinTestBroker(dataDir, overrides);
        skein.startBroker();
        return skein;
    }

    /**
     * Like {@link #start(Path, Map)}, the partition leaders asking {@code verifier} instead of the broker's own
     * transaction coordinator whether a transactional batch may be appended (tests of the log side of transactions).
     */
    public static SkeinTestBroker start(Path dataDir, Map<String, String> overrides, TransactionVerifier verifier)
            throws IOException {
        SkeinTestBroker skein = new SkeinTestBroker(dataDir, overrides);
        skein.verifier = verifier;
        skein.startBroker();
        return skein;
    }

    /** Starts a broker on a fresh temporary directory that {@link #close()} deletes. */
    public static SkeinTestBroker startInTempDir(Map<String, String> overrides) throws IOException {
        SkeinTestBroker skein = new SkeinTestBroker(null, overrides);
        skein.startBroker();
        return skein;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        beforeStart = LeakCheck.snapshot();
        startBroker();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        closeAndCheck(context);
    }

    /** Registered on an instance field, JUnit calls only this pair: a broker per test. */
    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (broker == null) {
            startedPerTest = true;
            beforeStart = LeakCheck.snapshot();
            startBroker();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        if (startedPerTest) {
            startedPerTest = false;
            closeAndCheck(context);
        }
    }

    /** Closes, then fails the test if anything started since {@link #beforeStart} is still alive or open. */
    private void closeAndCheck(ExtensionContext context) throws InterruptedException {
        close();
        LeakCheck.Snapshot before = beforeStart;
        beforeStart = null;
        if (before != null) {
            LeakCheck.assertNoLeaks(before, context.getDisplayName());
        }
    }

    private void startBroker() throws IOException {
        if (dataDir == null) {
            dataDir = Files.createTempDirectory("skein-test-");
            ownsDataDir = true;
        }
        broker = Broker.start(BrokerConfig.from(brokerProps(0)), Time.SYSTEM, verifier);
        port = broker.port();
        LeakCheck.brokerStarted(port);
    }

    /**
     * The broker config this kit starts with: listener on {@code 127.0.0.1:<kafkaPort>}, the data directory, an
     * embedded ZooKeeper on an ephemeral port, no initial rebalance delay; then the test's overrides.
     */
    public Map<String, String> brokerProps(int kafkaPort) {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + kafkaPort);
        props.put("log.dirs", dataDir.toString());
        props.put("skein.zookeeper.embedded.port", "0");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.putAll(overrides);
        return props;
    }

    /** Stops the broker; clients stay open, the data stays. */
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
            LeakCheck.brokerClosed(port);
        }
    }

    /** Stops the broker if it runs and starts it again on the same Kafka port and data directory. */
    public void restart() throws IOException {
        stop();
        broker = Broker.start(BrokerConfig.from(brokerProps(port)), Time.SYSTEM, verifier);
        LeakCheck.brokerStarted(port);
    }

    /** A fault hook: what a test does to the data directory (or the machine) while the broker is down. */
    @FunctionalInterface
    public interface WhileStopped {
        void run() throws Exception;
    }

    /** Stops the broker, runs {@code whileStopped}, then starts it again on the same port and data directory. */
    public void restart(WhileStopped whileStopped) throws Exception {
        stop();
        whileStopped.run();
        broker = Broker.start(BrokerConfig.from(brokerProps(port)), Time.SYSTEM, verifier);
        LeakCheck.brokerStarted(port);
    }

    /** Whether the broker runs (it does not between {@link #stop()} and {@link #restart()}). */
    public boolean running() {
        return broker != null;
    }

    /** The running broker (for white-box checks: metrics, partitions, purgatory sizes). */
    public Broker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker is not running");
        }
        return broker;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The Kafka port; the same across {@link #restart()}. */
    public int port() {
        return port;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** A producer with the given serializers and extra client config; closed with this broker. */
    public <K, V> KafkaProducer<K, V> producer(Serializer<K> keys, Serializer<V> values, Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.putAll(extra);
        KafkaProducer<K, V> producer = new KafkaProducer<>(props, keys, values);
        closers.add(producer::close);
        return producer;
    }

    /** A consumer reading from the earliest offset without auto-commit, plus extra client config. */
    public <K, V> KafkaConsumer<K, V> consumer(
            Deserializer<K> keys, Deserializer<V> values, Map<String, Object> extra) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(extra);
        KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keys, values);
        closers.add(consumer::close);
        return consumer;
    }

    public KafkaProducer<byte[], byte[]> bytesProducer(Map<String, Object> extra) {
        return producer(new ByteArraySerializer(), new ByteArraySerializer(), extra);
    }

    public KafkaConsumer<byte[], byte[]> bytesConsumer(Map<String, Object> extra) {
        return consumer(new ByteArrayDeserializer(), new ByteArrayDeserializer(), extra);
    }

    public KafkaProducer<String, String> stringProducer(Map<String, Object> extra) {
        return producer(new StringSerializer(), new StringSerializer(), extra);
    }

    public KafkaConsumer<String, String> stringConsumer(Map<String, Object> extra) {
        return consumer(new StringDeserializer(), new StringDeserializer(), extra);
    }

    /** An Admin client; closed with this broker. */
    public Admin admin() {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
        closers.add(admin::close);
        return admin;
    }

    public void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    /** Creates a topic (replication factor 1) and returns once the broker answered. */
    public void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get();
        }
    }

    @Override
    public void close() {
        try {
            closers.forEach(Runnable::run);
            closers.clear();
            stop();
        } finally {
            if (ownsDataDir) {
                deleteTree(dataDir);
                dataDir = null;
                ownsDataDir = false;
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete test data directory " + root, e);
        }
    }
}
