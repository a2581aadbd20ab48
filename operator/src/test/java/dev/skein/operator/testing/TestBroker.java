package dev.skein.operator.testing;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single Skein broker (embedded ZooKeeper) in the test JVM, with a data directory of its own. It can be stopped
 * and started again on the same Kafka port and data directory, so clients configured with {@link #bootstrap()} reach
 * it again. {@link #close()} stops the broker and the test's Admin client and deletes the data directory.
 */
public final class TestBroker implements AutoCloseable {
    private final Path dataDir;
    private final int brokerId;
    private final int port;
    private final Admin admin;
    private Broker broker;

    private TestBroker(Path dataDir, int brokerId, Broker broker) {
        this.dataDir = dataDir;
        this.brokerId = brokerId;
        this.broker = broker;
        this.port = broker.port();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    public static TestBroker start() throws IOException {
        return start(0);
    }

    /** A broker with the given {@code broker.id}. */
    public static TestBroker start(int brokerId) throws IOException {
        Path dataDir = Files.createTempDirectory("skein-operator-it");
        return new TestBroker(dataDir, brokerId, Broker.start(BrokerConfig.from(props(dataDir, brokerId, 0))));
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The test's own Admin client, to check and to disturb what the operator did. */
    public Admin admin() {
        return admin;
    }

    /** Stops the broker; the data stays. */
    public void stop() {
        broker.close();
        broker = null;
    }

    /** Starts the broker again on the same port and data directory. */
    public void restart() throws IOException {
        broker = Broker.start(BrokerConfig.from(props(dataDir, brokerId, port)));
    }

    private static Map<String, String> props(Path dataDir, int brokerId, int port) {
        return Map.of(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + port,
                "log.dirs",
                dataDir.toString(),
                "skein.zookeeper.embedded.port",
                "0",
                "broker.id",
                String.valueOf(brokerId));
    }

    @Override
    public void close() throws IOException {
        admin.close();
        if (broker != null) {
            broker.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
