package dev.skein.connector.deployment;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import io.quarkus.deployment.builditem.Startable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A single Skein broker (with its embedded ZooKeeper) running inside the developer's JVM, in a fresh temporary data
 * directory that {@link #close()} deletes. Quarkus Dev Services start it, share it between applications of the same
 * JVM with the same settings (so consecutive tests reuse it) and close it when the JVM's last application stops.
 */
final class EmbeddedSkeinBroker implements Startable {
    private final DevServicesSettings settings;
    private Broker broker;
    private Path dataDir;

    EmbeddedSkeinBroker(DevServicesSettings settings) {
        this.settings = settings;
    }

    /** What decides whether a running broker can be reused. */
    record DevServicesSettings(int port, int topicPartitions) {}

    @Override
    public void start() {
        try {
            dataDir = Files.createTempDirectory("skein-devservices");
            broker = Broker.start(BrokerConfig.from(Map.of(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:" + settings.port(),
                    "log.dirs",
                    dataDir.toString(),
                    "skein.zookeeper.embedded.port",
                    "0",
                    "num.partitions",
                    String.valueOf(settings.topicPartitions()))));
        } catch (IOException e) {
            throw new UncheckedIOException("Dev Services could not start the embedded Skein broker", e);
        }
    }

    @Override
    public String getConnectionInfo() {
        return "127.0.0.1:" + broker.port();
    }

    /**
     * Creates {@code topics} (those missing) with the configured partition count, then returns the bootstrap address.
     * Called for every application that uses this broker, so a reused broker gets the topics of each new app.
     */
    String bootstrapFor(Set<String> topics) {
        if (!topics.isEmpty()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, getConnectionInfo()))) {
                Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                List<NewTopic> missing = topics.stream()
                        .filter(topic -> !existing.contains(topic))
                        .map(topic -> new NewTopic(topic, settings.topicPartitions(), (short) 1))
                        .toList();
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating Dev Services topics " + topics, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Dev Services could not create topics " + topics, e);
            }
        }
        return getConnectionInfo();
    }

    @Override
    public String getContainerId() {
        return null;
    }

    @Override
    public void close() throws IOException {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
            dataDir = null;
        }
    }
}
