package dev.skein.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerPropertiesTest {
    @TempDir
    Path dir;

    private static Config config(Map<String, String> props) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(props, "test", 100))
                .build();
    }

    @Test
    void kafkaPrefixedPropertiesOverrideTheConfigFile() throws IOException {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "log.dirs=/from/file\nnum.partitions=3\n# comment\nbroker.id = 7\n");

        Map<String, String> props = BrokerProperties.from(config(Map.of(
                BrokerProperties.CONFIG_FILE_KEY,
                file.toString(),
                "kafka.log.dirs",
                "/from/flag",
                "kafka.listeners",
                "PLAINTEXT://:0")));

        assertThat(props)
                .containsEntry("log.dirs", "/from/flag")
                .containsEntry("num.partitions", "3")
                .containsEntry("broker.id", "7")
                .containsEntry("listeners", "PLAINTEXT://:0");
    }

    @Test
    void stripsThePrefixAndIgnoresOtherProperties() {
        Map<String, String> props = BrokerProperties.from(config(Map.of(
                "kafka.skein.zookeeper.embedded.port", "0",
                "quarkus.http.port", "8081",
                "kafkaesque", "x",
                "kafka.", "empty key")));

        assertThat(props).containsExactly(Map.entry("skein.zookeeper.embedded.port", "0"));
    }

    @Test
    void worksWithoutAConfigFile() {
        assertThat(BrokerProperties.from(config(Map.of("kafka.log.dirs", "d"))))
                .containsExactly(Map.entry("log.dirs", "d"));
    }

    @Test
    void missingConfigFileNamesTheKeyAndPath() {
        Path missing = dir.resolve("absent.properties");

        assertThatThrownBy(() ->
                        BrokerProperties.from(config(Map.of(BrokerProperties.CONFIG_FILE_KEY, missing.toString()))))
                .isInstanceOf(StartupFailure.class)
                .hasMessageContaining(BrokerProperties.CONFIG_FILE_KEY)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void mergeLetsLaterSourceWin() {
        assertThat(BrokerProperties.merge(Map.of("a", "1", "b", "1"), Map.of("b", "2", "c", "2")))
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("c", "2"));
    }
}
