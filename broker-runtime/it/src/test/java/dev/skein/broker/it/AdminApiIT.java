package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka AdminClient against the broker: topics, partitions, configs, cluster description. */
class AdminApiIT {
    @TempDir
    Path dataDir;

    BrokerHarness harness;
    Admin admin;

    @BeforeEach
    void startBroker() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of("log.retention.hours", "48"));
        admin = harness.admin();
    }

    @AfterEach
    void stopBroker() throws Exception {
        harness.close();
    }

    @Test
    void createsDescribesListsAndDeletesTopics() throws Exception {
        admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1))).all().get();
        TopicDescription orders =
                admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
        assertThat(orders.partitions()).hasSize(3);
        assertThat(orders.partitions().get(0).leader().id()).isZero();
        assertThat(orders.topicId()).isNotNull();
        assertThat(admin.listTopics().names().get()).contains("orders");

        admin.deleteTopics(List.of("orders")).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("orders");
        assertThat(dataDir.resolve("orders-0")).doesNotExist();
    }

    @Test
    void refusesInvalidTopicsWithKafkaErrors() {
        assertCause(() -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1)))
                        .all()
                        .get())
                .isInstanceOf(InvalidTopicException.class);
        assertCause(() -> admin.createTopics(List.of(new NewTopic("too-replicated", 1, (short) 3)))
                        .all()
                        .get())
                .isInstanceOf(InvalidReplicationFactorException.class);
        assertCause(() -> admin.createTopics(List.of(
                                new NewTopic("bad-config", 1, (short) 1).configs(Map.of("cleanup.policy", "shred"))))
                        .all()
                        .get())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("cleanup.policy");
    }

    @Test
    void duplicateTopicIsRefusedAndValidateOnlyCreatesNothing() throws Exception {
        admin.createTopics(List.of(new NewTopic("once", 1, (short) 1))).all().get();
        assertCause(() -> admin.createTopics(List.of(new NewTopic("once", 1, (short) 1)))
                        .all()
                        .get())
                .isInstanceOf(TopicExistsException.class);
        admin.createTopics(List.of(new NewTopic("dry-run", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all()
                .get();
        assertThat(admin.listTopics().names().get()).doesNotContain("dry-run");
    }

    @Test
    void partitionsGrowAndNeverShrink() throws Exception {
        admin.createTopics(List.of(new NewTopic("growing", 1, (short) 1))).all().get();
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(4)))
                .all()
                .get();
        assertThat(admin.describeTopics(List.of("growing"))
                        .allTopicNames()
                        .get()
                        .get("growing")
                        .partitions())
                .hasSize(4);
        // The new partition takes writes.
        assertThat(harness.producer(Map.of())
                        .send(new ProducerRecord<>("growing", 3, null, new byte[] {1}))
                        .get()
                        .partition())
                .isEqualTo(3);
        assertCause(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2)))
                        .all()
                        .get())
                .isInstanceOf(InvalidPartitionsException.class);
    }

    @Test
    void topicConfigsAreDescribedAndAlteredIncrementally() throws Exception {
        admin.createTopics(List.of(new NewTopic("configured", 1, (short) 1).configs(Map.of("retention.ms", "60000"))))
                .all()
                .get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("60000");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("segment.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

        admin.incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(
                                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE),
                                new AlterConfigOp(
                                        new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET))))
                .all()
                .get();
        Config altered = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        // Back to the broker's log.retention.hours=48.
        assertThat(altered.get("retention.ms").value()).isEqualTo(Long.toString(48 * 3_600_000L));
        assertThat(altered.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(altered.get("cleanup.policy").value()).isEqualTo("compact");

        assertCause(() -> admin.incrementalAlterConfigs(Map.of(
                                resource,
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET))))
                        .all()
                        .get())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("retention.ms");
        assertCause(() -> admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "missing")))
                        .all()
                        .get())
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void brokerConfigsAndClusterAreDescribed() throws Exception {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
        Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
        assertThat(config.get("log.dirs").value()).isEqualTo(dataDir.toString());
        assertThat(config.get("log.dirs").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(config.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

        var cluster = admin.describeCluster();
        assertThat(cluster.clusterId().get()).isEqualTo(harness.broker().clusterId());
        assertThat(cluster.nodes().get()).extracting(n -> n.id()).containsExactly(0);
        assertThat(cluster.controller().get().id()).isZero();
    }

    @Test
    void metadataRequestAutoCreatesTopicsWithBrokerDefaults() throws Exception {
        harness.producer(Map.of())
                .send(new ProducerRecord<>("auto-created", new byte[] {42}))
                .get();
        TopicDescription topic = admin.describeTopics(Set.of("auto-created"))
                .allTopicNames()
                .get()
                .get("auto-created");
        assertThat(topic.partitions()).hasSize(1);
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertCause(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        return assertThatThrownBy(call).isInstanceOf(ExecutionException.class).cause();
    }
}
