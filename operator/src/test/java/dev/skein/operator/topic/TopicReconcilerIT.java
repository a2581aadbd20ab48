package dev.skein.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.operator.annotations.ControlAnnotations;
import dev.skein.operator.status.Condition;
import dev.skein.testkit.SkeinTestBroker;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/**
 * The Topic operator against the fabric8 mock API server (CRUD mode) and a real Skein broker. Assertions are on what a
 * user sees: the Topic's status, and the topic as the broker's Admin API describes it. Each test uses its own topic
 * names; the Topic controller re-checks every resource every two seconds in this profile.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(SkeinBrokerResource.class)
class TopicReconcilerIT {
    private static final String NS = "test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    KubernetesClient client;

    SkeinTestBroker broker;

    @Test
    void createsTopicFromSpecAndReportsReady() throws Exception {
        create(topic("orders", null, 3, Map.of("retention.ms", "3600000")));

        Topic ready = awaitReason("orders", TopicReason.Ready);

        TopicDescription description = describe("orders").orElseThrow();
        assertThat(description.partitions()).hasSize(3);
        assertThat(overrides("orders")).isEqualTo(Map.of("retention.ms", "3600000"));
        assertThat(ready.getStatus().getTopicId())
                .isEqualTo(description.topicId().toString());
        assertThat(ready.getStatus().getTopicName()).isEqualTo("orders");
        assertThat(ready.getStatus().getObservedGeneration())
                .isEqualTo(ready.getMetadata().getGeneration());
        assertThat(ready(ready).getStatus()).isEqualTo("True");
    }

    @Test
    void specTopicNameNamesTheKafkaTopicAndIsImmutable() throws Exception {
        create(topic("payments-resource", "Payments_v1", 1, Map.of()));
        awaitReason("payments-resource", TopicReason.Ready);
        assertThat(describe("Payments_v1")).isPresent();

        edit("payments-resource", t -> {
            t.getSpec().setTopicName("Payments_v2");
            return t;
        });

        Topic invalid = awaitReason("payments-resource", TopicReason.InvalidSpec);
        assertThat(ready(invalid).getMessage()).contains("immutable").contains("Payments_v1");
        assertThat(invalid.getStatus().getTopicName()).isEqualTo("Payments_v1");
        assertThat(describe("Payments_v2")).isEmpty();
    }

    @Test
    void specUpdateGrowsPartitionsAndSetsConfigs() throws Exception {
        create(topic("grows", null, 2, Map.of()));
        awaitReason("grows", TopicReason.Ready);

        Topic updated = edit("grows", t -> {
            t.getSpec().setPartitions(5);
            t.getSpec().getConfig().put("cleanup.policy", "compact");
            return t;
        });

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(describe("grows").orElseThrow().partitions()).hasSize(5);
            assertThat(overrides("grows")).isEqualTo(Map.of("cleanup.policy", "compact"));
            Topic current = get("grows");
            assertThat(ready(current).getReason()).isEqualTo(TopicReason.Ready.name());
            assertThat(current.getStatus().getObservedGeneration())
                    .isEqualTo(updated.getMetadata().getGeneration());
        });
    }

    @Test
    void deletingTheResourceDeletesTheTopicUnlessRetained() throws Exception {
        create(topic("doomed", null, 1, Map.of()));
        Topic retained = topic("kept", null, 1, Map.of());
        retained.getMetadata().setAnnotations(Map.of(TopicAnnotations.DELETION_POLICY, TopicAnnotations.RETAIN));
        create(retained);
        awaitReason("doomed", TopicReason.Ready);
        awaitReason("kept", TopicReason.Ready);

        resource("doomed").delete();
        resource("kept").delete();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(resource("doomed").get()).isNull();
            assertThat(resource("kept").get()).isNull();
            assertThat(describe("doomed")).isEmpty();
        });
        assertThat(describe("kept")).isPresent();
    }

    @Test
    void configDriftMadeWithAdminIsRevertedWithoutAnyKubernetesEvent() throws Exception {
        create(topic("drifting", null, 1, Map.of("retention.ms", "3600000")));
        awaitReason("drifting", TopicReason.Ready);

        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "drifting");
        broker.admin()
                .incrementalAlterConfigs(Map.of(
                        resource,
                        List.of(
                                new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET),
                                new AlterConfigOp(new ConfigEntry("segment.ms", "60000"), AlterConfigOp.OpType.SET))))
                .all()
                .get();
        assertThat(overrides("drifting")).containsEntry("retention.ms", "1000");

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(overrides("drifting")).isEqualTo(Map.of("retention.ms", "3600000")));
    }

    @Test
    void configRemovedFromSpecIsResetToTheBrokerDefault() throws Exception {
        create(topic("trimmed", null, 1, Map.of("retention.ms", "3600000", "segment.ms", "600000")));
        awaitReason("trimmed", TopicReason.Ready);
        assertThat(overrides("trimmed")).containsKeys("retention.ms", "segment.ms");

        edit("trimmed", t -> {
            t.getSpec().getConfig().remove("segment.ms");
            return t;
        });

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(overrides("trimmed")).isEqualTo(Map.of("retention.ms", "3600000")));
    }

    @Test
    void partitionDecreaseAndReplicasChangeAreNotSupported() throws Exception {
        create(topic("shrinking", null, 3, Map.of()));
        awaitReason("shrinking", TopicReason.Ready);

        edit("shrinking", t -> {
            t.getSpec().setPartitions(1);
            return t;
        });
        Topic shrunk = awaitReason("shrinking", TopicReason.NotSupported);
        assertThat(ready(shrunk).getStatus()).isEqualTo("False");
        assertThat(ready(shrunk).getMessage()).contains("decreasing partitions from 3 to 1");
        assertThat(describe("shrinking").orElseThrow().partitions()).hasSize(3);

        edit("shrinking", t -> {
            t.getSpec().setPartitions(3);
            t.getSpec().setReplicas(2);
            return t;
        });
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(ready(get("shrinking")).getMessage()).contains("changing replicas from 1 to 2"));
        assertThat(ready(get("shrinking")).getReason()).isEqualTo(TopicReason.NotSupported.name());

        edit("shrinking", t -> {
            t.getSpec().setReplicas(1);
            return t;
        });
        awaitReason("shrinking", TopicReason.Ready);
    }

    @Test
    void newerResourceForTheSameTopicIsInConflictAndItsDeletionKeepsTheTopic() throws Exception {
        create(topic("owner", "shared", 2, Map.of()));
        awaitReason("owner", TopicReason.Ready);

        create(topic("intruder", "shared", 4, Map.of("retention.ms", "1000")));
        Topic loser = awaitReason("intruder", TopicReason.ResourceConflict);
        assertThat(ready(loser).getMessage()).contains(NS + "/owner");
        assertThat(describe("shared").orElseThrow().partitions()).hasSize(2);
        assertThat(overrides("shared")).isEmpty();

        resource("intruder").delete();
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(resource("intruder").get()).isNull());

        assertThat(describe("shared")).isPresent();
        assertThat(ready(get("owner")).getReason()).isEqualTo(TopicReason.Ready.name());
    }

    @Test
    void deletingTheOwnerWhileAnotherResourceClaimsTheTopicHandsItOver() throws Exception {
        create(topic("first", "handed-over", 1, Map.of()));
        awaitReason("first", TopicReason.Ready);
        create(topic("second", "handed-over", 2, Map.of()));
        awaitReason("second", TopicReason.ResourceConflict);

        resource("first").delete();

        Topic heir = awaitReason("second", TopicReason.Ready);
        assertThat(heir.getStatus().getTopicName()).isEqualTo("handed-over");
        assertThat(describe("handed-over").orElseThrow().partitions()).hasSize(2);
    }

    @Test
    void unmanagedTopicIsNeitherChangedNorDeleted() throws Exception {
        create(topic("hands-off", null, 1, Map.of()));
        awaitReason("hands-off", TopicReason.Ready);

        edit("hands-off", t -> {
            t.getMetadata().getAnnotations().put(ControlAnnotations.MANAGED, "false");
            t.getSpec().setPartitions(4);
            return t;
        });
        Topic unmanaged = awaitReason("hands-off", TopicReason.Unmanaged);
        assertThat(ready(unmanaged).getStatus()).isEqualTo("Unknown");
        assertThat(describe("hands-off").orElseThrow().partitions()).hasSize(1);

        resource("hands-off").delete();
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(resource("hands-off").get()).isNull());
        assertThat(describe("hands-off")).isPresent();
    }

    @Test
    void pausedTopicIsLeftAloneUntilResumed() throws Exception {
        create(topic("napping", null, 1, Map.of()));
        awaitReason("napping", TopicReason.Ready);

        edit("napping", t -> {
            t.getMetadata().getAnnotations().put(ControlAnnotations.PAUSE_RECONCILIATION, "true");
            t.getSpec().setPartitions(2);
            return t;
        });
        awaitReason("napping", TopicReason.ReconciliationPaused);
        assertThat(describe("napping").orElseThrow().partitions()).hasSize(1);

        edit("napping", t -> {
            t.getMetadata().getAnnotations().remove(ControlAnnotations.PAUSE_RECONCILIATION);
            return t;
        });
        awaitReason("napping", TopicReason.Ready);
        assertThat(describe("napping").orElseThrow().partitions()).hasSize(2);
    }

    @Test
    void invalidSpecsAreReportedWithoutTouchingTheBroker() throws Exception {
        create(topic("bad-name", "no spaces allowed", 1, Map.of()));
        create(topic("no-partitions", null, 0, Map.of()));
        create(topic("unknown-config", null, 1, Map.of("no.such.config", "1")));

        assertThat(ready(awaitReason("bad-name", TopicReason.InvalidSpec)).getMessage())
                .contains("'no spaces allowed' is illegal");
        assertThat(ready(awaitReason("no-partitions", TopicReason.InvalidSpec)).getMessage())
                .contains("spec.partitions must be at least 1");
        assertThat(ready(awaitReason("unknown-config", TopicReason.InvalidSpec)).getMessage())
                .contains("the broker rejected")
                .contains("no.such.config");
        assertThat(describe("no-partitions")).isEmpty();
        assertThat(describe("unknown-config")).isEmpty();

        edit("unknown-config", t -> {
            t.getSpec().setConfig(new LinkedHashMap<>(Map.of("retention.ms", "1000")));
            return t;
        });
        awaitReason("unknown-config", TopicReason.Ready);
        assertThat(overrides("unknown-config")).isEqualTo(Map.of("retention.ms", "1000"));
    }

    @Test
    void unreachableBrokerIsReportedAndTheTopicIsCreatedOnceItIsBack() throws Exception {
        broker.stop();
        try {
            create(topic("patient", null, 2, Map.of()));
            Topic waiting = awaitReason("patient", TopicReason.BrokerUnavailable);
            assertThat(ready(waiting).getStatus()).isEqualTo("False");
            assertThat(ready(waiting).getMessage()).contains(broker.bootstrap());
        } finally {
            broker.restart();
        }

        awaitReason("patient", TopicReason.Ready);
        assertThat(describe("patient").orElseThrow().partitions()).hasSize(2);
    }

    private static Topic topic(String name, String topicName, int partitions, Map<String, String> config) {
        Topic topic = new Topic();
        topic.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(NS)
                .withAnnotations(new LinkedHashMap<>())
                .build());
        TopicSpec spec = new TopicSpec();
        spec.setTopicName(topicName);
        spec.setPartitions(partitions);
        spec.setReplicas(1);
        spec.setConfig(new LinkedHashMap<>(config));
        topic.setSpec(spec);
        return topic;
    }

    private void create(Topic topic) {
        client.resources(Topic.class).inNamespace(NS).resource(topic).create();
    }

    private Resource<Topic> resource(String name) {
        return client.resources(Topic.class).inNamespace(NS).withName(name);
    }

    private Topic get(String name) {
        return resource(name).get();
    }

    private Topic edit(String name, UnaryOperator<Topic> change) {
        return resource(name).edit(change);
    }

    private Topic awaitReason(String name, TopicReason reason) {
        return await().atMost(WAIT)
                .until(
                        () -> get(name),
                        topic -> topic != null
                                && topic.getStatus() != null
                                && topic.getStatus()
                                        .condition(Condition.READY)
                                        .map(c -> reason.name().equals(c.getReason()))
                                        .orElse(false));
    }

    private static Condition ready(Topic topic) {
        return topic.getStatus().condition(Condition.READY).orElseThrow();
    }

    private Optional<TopicDescription> describe(String topic) throws Exception {
        try {
            return Optional.of(broker.admin()
                    .describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The topic-level overrides (DYNAMIC_TOPIC_CONFIG entries) of a topic. */
    private Map<String, String> overrides(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return broker.admin().describeConfigs(List.of(resource)).all().get().get(resource).entries().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
    }
}
