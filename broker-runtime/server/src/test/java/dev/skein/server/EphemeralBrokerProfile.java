package dev.skein.server;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A broker on ephemeral ports (Kafka and embedded ZooKeeper) with a fresh data directory under target/. */
public class EphemeralBrokerProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Path dataDir;
        try {
            Path target = Files.createDirectories(Path.of("target"));
            dataDir = Files.createTempDirectory(target, "skein-test-data-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "kafka.listeners", "PLAINTEXT://:0",
                "kafka.log.dirs", dataDir.toAbsolutePath().toString(),
                "kafka.skein.zookeeper.embedded.port", "0");
    }
}
