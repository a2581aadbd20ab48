package dev.skein.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skein.broker.common.config.ConfigException;
import dev.skein.broker.log.LogConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {
    @Test
    void defaultsMatchKafkasAndTheReadmeSetup() {
        BrokerConfig config = BrokerConfig.from(Map.of());
        assertThat(config.listener().port()).isEqualTo(9092);
        assertThat(config.dataDir().toString()).isEqualTo("./data");
        assertThat(config.zookeeperConnect()).isEmpty();
        assertThat(config.autoCreateTopics()).isTrue();
        LogConfig log = config.logConfig(Map.of());
        assertThat(log.segmentBytes()).isEqualTo(1 << 30);
        assertThat(log.retentionMs()).isEqualTo(7 * 24 * 3_600_000L);
    }

    @Test
    void retentionHoursAndMinutesFeedRetentionMsUnlessItIsSet() {
        assertThat(BrokerConfig.from(Map.of("log.retention.hours", "2"))
                        .logConfig(Map.of())
                        .retentionMs())
                .isEqualTo(7_200_000L);
        assertThat(BrokerConfig.from(Map.of("log.retention.minutes", "3", "log.retention.hours", "2"))
                        .logConfig(Map.of())
                        .retentionMs())
                .isEqualTo(180_000L);
        assertThat(BrokerConfig.from(Map.of("log.retention.ms", "5", "log.retention.hours", "2"))
                        .logConfig(Map.of())
                        .retentionMs())
                .isEqualTo(5L);
    }

    @Test
    void topicOverridesWinOverBrokerDefaults() {
        BrokerConfig config = BrokerConfig.from(Map.of("log.segment.bytes", "1048576"));
        assertThat(config.logConfig(Map.of()).segmentBytes()).isEqualTo(1 << 20);
        assertThat(config.logConfig(Map.of("segment.bytes", "4096")).segmentBytes())
                .isEqualTo(4096);
    }

    @Test
    void invalidValuesFailNamingTheKeyAndWhatIsAllowed() {
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("num.partitions", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.partitions")
                .hasMessageContaining("INT");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("num.partitions", "0")))
                .hasMessageContaining("num.partitions")
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("log.cleanup.policy", "shred")))
                .hasMessageContaining("log.cleanup.policy")
                .hasMessageContaining("compact");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("auto.create.topics.enable", "yes")))
                .hasMessageContaining("auto.create.topics.enable")
                .hasMessageContaining("true or false");
    }

    @Test
    void listenerSyntaxIsChecked() {
        assertThat(BrokerConfig.from(Map.of("listeners", "PLAINTEXT://127.0.0.1:0"))
                        .listener()
                        .host())
                .isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("listeners", "localhost:9092")))
                .hasMessageContaining("listeners")
                .hasMessageContaining("PROTOCOL://host:port");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("listeners", "PLAINTEXT://:99999")))
                .hasMessageContaining("0 to 65535");
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("listeners", "SASL_SSL://:9093")))
                .hasMessageContaining("PLAINTEXT");
    }

    @Test
    void unknownTopicConfigIsRefused() {
        BrokerConfig config = BrokerConfig.from(Map.of());
        assertThatThrownBy(() -> config.logConfig(Map.of("retention.forever", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("retention.forever");
    }

    @Test
    void requestMemoryPoolIsBoundedByDefaultAndMustHoldTheLargestFrame() {
        BrokerConfig defaults = BrokerConfig.from(Map.of());
        assertThat(defaults.queuedMaxRequestBytes())
                .isEqualTo(Math.max(1024 * 1024, Runtime.getRuntime().maxMemory() / 4));
        assertThat(BrokerConfig.from(Map.of("queued.max.request.bytes", "209715200"))
                        .queuedMaxRequestBytes())
                .isEqualTo(200L * 1024 * 1024);
        assertThatThrownBy(() -> BrokerConfig.from(Map.of("queued.max.request.bytes", "1048576")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("queued.max.request.bytes")
                .hasMessageContaining("socket.request.max.bytes");
    }
}
