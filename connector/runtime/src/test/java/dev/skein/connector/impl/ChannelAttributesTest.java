package dev.skein.connector.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** Channel attribute names a migrated smallrye-kafka configuration uses, and the ones nobody understands. */
class ChannelAttributesTest {
    private static SkeinConnectorIncomingConfiguration channel(String name, Map<String, String> attributes) {
        Map<String, String> values = new HashMap<>(attributes);
        values.put("channel-name", name);
        values.put("connector", "skein");
        values.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        return new SkeinConnectorIncomingConfiguration(new MapConfig(values));
    }

    @Test
    void smallryesOrderedAttributeTurnsOnKeyOrdering() {
        assertThat(SkeinSource.keyOrdered(channel("in", Map.of("ordered", "key"))))
                .isTrue();
        assertThat(SkeinSource.keyOrdered(channel("in", Map.of("ordered", "partition"))))
                .isFalse();
        assertThat(SkeinSource.keyOrdered(channel("in", Map.of()))).isFalse();
    }

    @Test
    void orderingStaysAnAliasOfOrdered() {
        assertThat(SkeinSource.keyOrdered(channel("in", Map.of("ordering", "key"))))
                .isTrue();
        assertThat(SkeinSource.keyOrdered(channel("in", Map.of("ordering", "key", "ordered", "key"))))
                .isTrue();
    }

    @Test
    void disagreeingOrderedAndOrderingFailNamingBoth() {
        assertThatThrownBy(
                        () -> SkeinSource.keyOrdered(channel("in", Map.of("ordering", "key", "ordered", "partition"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ordered=partition")
                .hasMessageContaining("ordering=key");
    }

    @Test
    void unsupportedOrderedValueFailsNamingTheAllowedOnes() {
        assertThatThrownBy(() -> SkeinSource.keyOrdered(channel("in", Map.of("ordered", "true"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ordered=true is not one of partition, key");
    }

    @Test
    void unknownNamesAreThoseNeitherTheConnectorNorTheClientKnows() {
        MapConfig config = new MapConfig(Map.of(
                "channel-name", "in",
                "connector", "skein",
                "ordred", "key",
                "health-topic-verification-enabled", "true",
                "max.poll.records", "10",
                "value.deserializer", "x",
                "ordered", "key",
                "concurrency", "3"));
        assertThat(ClientProperties.unknownNames(config, ConsumerConfig.configNames()))
                .containsExactly("health-topic-verification-enabled", "ordred");
        assertThat(ClientProperties.unknownNames(config, ProducerConfig.configNames()))
                .contains("max.poll.records", "ordred");
    }

    @Test
    void concurrencyCopiesDefaultToTheBaseChannelsTopicAndGroup() {
        Map<String, Object> copy = SkeinSource.consumerProperties(channel("orders$2", Map.of()));
        assertThat(copy).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "orders");
        assertThat(ClientProperties.baseChannel("orders$2")).isEqualTo("orders");
        assertThat(ClientProperties.baseChannel("orders$12")).isEqualTo("orders");
        assertThat(ClientProperties.baseChannel("price$tag")).isEqualTo("price$tag");
        assertThat(ClientProperties.baseChannel("orders")).isEqualTo("orders");
    }

    @Test
    void explicitTopicAndGroupStillWinForCopies() {
        Map<String, Object> copy =
                SkeinSource.consumerProperties(channel("orders$2", Map.of("group.id", "billing", "topic", "t")));
        assertThat(copy).containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "billing");
    }
}
