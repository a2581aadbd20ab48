package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The non-incremental AlterConfigs (kafkajs {@code admin.alterConfigs}, librdkafka's AlterConfigs) at every version:
 * the configs sent replace the topic's overrides; broker configs are refused as static.
 */
class AlterConfigsVersionsIT {
    @TempDir
    Path dataDir;

    @Test
    void topicOverridesAreReplacedAtEveryVersionAndBrokerConfigsRefused() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir)) {
            ApiKeys key = ApiKeys.ALTER_CONFIGS;
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
                    String topic = "alter-v" + v;
                    harness.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "retention.ms", "1000"));
                    String retention = Long.toString(3_600_000L + v);

                    AlterConfigsResponse topicResponse = (AlterConfigsResponse)
                            raw.send(alter(ConfigResource.Type.TOPIC, topic, "retention.ms", retention, v));

                    assertThat(topicResponse.errorCounts().keySet())
                            .as("v%d", v)
                            .containsOnly(Errors.NONE);
                    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                    Config config = harness.admin()
                            .describeConfigs(List.of(resource))
                            .all()
                            .get()
                            .get(resource);
                    assertThat(config.get("retention.ms").value()).isEqualTo(retention);
                    assertThat(config.get("cleanup.policy").value())
                            .as("an override left out returns to its default")
                            .isEqualTo("delete");

                    AlterConfigsResponse brokerResponse = (AlterConfigsResponse)
                            raw.send(alter(ConfigResource.Type.BROKER, "0", "log.retention.ms", "1000", v));
                    assertThat(brokerResponse.data().responses().get(0).errorCode())
                            .isEqualTo(Errors.INVALID_REQUEST.code());
                    assertThat(brokerResponse.data().responses().get(0).errorMessage())
                            .contains("broker configs are static");
                }
            }
        }
    }

    private static AlterConfigsRequest alter(
            ConfigResource.Type type, String name, String config, String value, short version) {
        ConfigResource resource = new ConfigResource(type, name);
        AlterConfigsRequest.Config configs =
                new AlterConfigsRequest.Config(List.of(new AlterConfigsRequest.ConfigEntry(config, value)));
        return new AlterConfigsRequest.Builder(Map.of(resource, configs), false).build(version);
    }
}
