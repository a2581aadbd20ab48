package dev.skein.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/configuration.md in step with the key definitions. To refresh it after adding or changing a key:
 * {@code mvn -o -q -pl broker-runtime/server test -Dtest=ConfigurationDocTest -Dskein.docs.regenerate=true}.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("../../docs/configuration.md");

    @Test
    void configurationReferenceMatchesTheKeyDefinitions() throws IOException {
        String committed = Files.readString(DOC, StandardCharsets.UTF_8);
        String expected = ConfigReference.regenerate(committed);
        if (Boolean.getBoolean("skein.docs.regenerate")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
            committed = expected;
        }

        assertThat(committed)
                .as("docs/configuration.md is stale; rerun this test with -Dskein.docs.regenerate=true")
                .isEqualTo(expected);
    }

    @Test
    void referenceListsEveryBrokerAndTopicKey() {
        String markdown = ConfigReference.markdown();

        assertThat(BrokerConfig.BROKER_CONFIG.keys().keySet())
                .allSatisfy(key -> assertThat(markdown).contains("| `" + key + "` |"));
        assertThat(LogConfig.TOPIC_CONFIG.keys().keySet())
                .allSatisfy(key -> assertThat(markdown).contains("| `" + key + "` |"));
    }
}
