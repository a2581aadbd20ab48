package dev.skein.operator.cluster;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Skein broker with {@code broker.id=1} (embedded ZooKeeper, ephemeral ports, a temporary data directory) for
 * the scale-down guard: the operator reaches it through {@code skein.operator.bootstrap-servers}. Stopped and its
 * directory deleted when the test class ends.
 */
public class BrokerOneResource implements QuarkusTestResourceLifecycleManager {
    static final int BROKER_ID = 1;

    private Path dataDir;
    private Broker broker;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("skein-operator-broker");
            broker = Broker.start(BrokerConfig.from(Map.of(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:0",
                    "log.dirs",
                    dataDir.toString(),
                    "skein.zookeeper.embedded.port",
                    "0",
                    "broker.id",
                    String.valueOf(BROKER_ID))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("skein.operator.bootstrap-servers", "127.0.0.1:" + broker.port());
    }

    @Override
    public void stop() {
        try {
            if (broker != null) {
                broker.close();
            }
            if (dataDir != null) {
                try (Stream<Path> files = Files.walk(dataDir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
