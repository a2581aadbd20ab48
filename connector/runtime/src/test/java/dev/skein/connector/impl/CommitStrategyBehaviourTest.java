package dev.skein.connector.impl;

import static dev.skein.connector.impl.LoopHarness.ack;
import static dev.skein.connector.impl.LoopHarness.partition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import dev.skein.connector.commit.CommitStrategy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/** What {@code latest}, {@code ignore} and {@code throttled} commit, and when. */
class CommitStrategyBehaviourTest {
    private static LoopHarness harness(CommitStrategy strategy) {
        LoopHarness harness = new LoopHarness(LoopHarness.settings(false, false, false, 1000), strategy);
        harness.assign(1);
        for (int i = 0; i < 3; i++) {
            harness.add(0, i, null, String.valueOf(i));
        }
        harness.request(100);
        harness.step();
        return harness;
    }

    @Test
    void latestCommitsTheContiguousAckedPositionOnTheNextIteration() {
        LoopHarness harness = harness(CommitStrategy.named("latest", "o", 600_000, 0));
        ack(harness.received.get(0));
        ack(harness.received.get(2));
        harness.step();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 1L));
        ack(harness.received.get(1));
        harness.step();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 3L));
    }

    @Test
    void ignoreCommitsNeitherOnAckNorOnRevocationNorOnShutdown() {
        LoopHarness harness = harness(CommitStrategy.named("ignore", "o", 0, 0));
        harness.received.forEach(LoopHarness::ack);
        harness.step();
        harness.consumer.schedulePollTask(() -> harness.consumer.rebalance(List.of()));
        harness.step();
        harness.loop.finish();
        assertThat(harness.committed()).isEmpty();
    }

    @Test
    void ignoreLeavesClientAutoCommitOffUnlessTheApplicationTurnsItOn() {
        Map<String, String> values = new HashMap<>();
        values.put("channel-name", "orders");
        values.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        values.put("commit-strategy", "ignore");
        assertThat(SkeinSource.consumerProperties(config(values)))
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        values.put("enable.auto.commit", "true");
        assertThat(SkeinSource.consumerProperties(config(values)))
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
        values.put("commit-strategy", "throttled");
        assertThat(SkeinSource.consumerProperties(config(values)))
                .as("the connector owns commits under throttled")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    }

    @Test
    void throttledCommitsOncePerInterval() {
        LoopHarness harness = harness(CommitStrategy.named("throttled", "o", 1000, 0));
        ack(harness.received.get(0));
        harness.time.sleep(999);
        harness.step();
        assertThat(harness.committed()).isEmpty();
        harness.time.sleep(1);
        harness.step();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 1L));

        ack(harness.received.get(1));
        harness.step();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 1L));
        harness.time.sleep(1000);
        harness.step();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 2L));
    }

    @Test
    void throttledTurnsLivenessDownWhileARecordWaitsLongerThanTheMaxAge() {
        LoopHarness harness = harness(CommitStrategy.named("throttled", "o", 1000, 5000));
        ack(harness.received.get(1));
        ack(harness.received.get(2));
        harness.time.sleep(4999);
        harness.step();
        assertThat(harness.health.alive()).isTrue();

        // health is sampled every 250 ms of the loop's clock
        harness.time.sleep(250);
        harness.step();
        assertThat(harness.health.alive()).isFalse();
        assertThat(harness.health.problem()).contains("waited 5249 ms");

        ack(harness.received.get(0));
        harness.time.sleep(250);
        harness.step();
        assertThat(harness.health.alive()).isTrue();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 3L));
        assertThat(harness.consumer.paused()).doesNotContain(partition(0));
    }

    private static SkeinConnectorIncomingConfiguration config(Map<String, String> values) {
        return new SkeinConnectorIncomingConfiguration(new MapConfig(values));
    }
}
