package dev.skein.operator.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.junit.jupiter.api.Test;

class TopicDiffTest {
    private static final String ID = "AAAAAAAAAAAAAAAAAAAAAA";

    @Test
    void createsMissingTopic() {
        TopicPlan plan = TopicDiff.plan(desired(3, 1, Map.of("retention.ms", "1000")), Optional.empty());

        assertThat(plan.create()).isTrue();
        assertThat(plan.unsupported()).isEmpty();
    }

    @Test
    void matchingTopicNeedsNothing() {
        TopicPlan plan = TopicDiff.plan(
                desired(3, 1, Map.of("retention.ms", "1000")),
                Optional.of(observed(3, 1, Map.of("retention.ms", "1000"))));

        assertThat(plan.isNoOp()).isTrue();
        assertThat(plan.unsupported()).isEmpty();
    }

    @Test
    void revertsConfigDriftAndResetsOverridesMissingFromSpec() {
        TopicPlan plan = TopicDiff.plan(
                desired(3, 1, Map.of("retention.ms", "1000", "cleanup.policy", "compact")),
                Optional.of(observed(3, 1, Map.of("retention.ms", "5", "segment.bytes", "1048576"))));

        assertThat(plan.configChanges())
                .containsExactlyInAnyOrder(
                        set("retention.ms", "1000"),
                        set("cleanup.policy", "compact"),
                        new AlterConfigOp(new ConfigEntry("segment.bytes", ""), AlterConfigOp.OpType.DELETE));
        assertThat(plan.create()).isFalse();
        assertThat(plan.newPartitionCount()).isZero();
    }

    @Test
    void growsPartitions() {
        TopicPlan plan = TopicDiff.plan(desired(5, 1, Map.of()), Optional.of(observed(3, 1, Map.of())));

        assertThat(plan.newPartitionCount()).isEqualTo(5);
        assertThat(plan.unsupported()).isEmpty();
    }

    @Test
    void partitionDecreaseIsUnsupportedButConfigsAreStillReconciled() {
        TopicPlan plan =
                TopicDiff.plan(desired(2, 1, Map.of("retention.ms", "1000")), Optional.of(observed(4, 1, Map.of())));

        assertThat(plan.newPartitionCount()).isZero();
        assertThat(plan.configChanges()).containsExactly(set("retention.ms", "1000"));
        assertThat(plan.unsupported()).singleElement().asString().contains("decreasing partitions from 4 to 2");
    }

    @Test
    void replicationFactorChangeIsUnsupported() {
        TopicPlan plan = TopicDiff.plan(desired(3, 3, Map.of()), Optional.of(observed(3, 1, Map.of())));

        assertThat(plan.isNoOp()).isTrue();
        assertThat(plan.unsupported())
                .singleElement()
                .asString()
                .contains("changing replicas from 1 to 3")
                .contains("until partition reassignment is supported");
    }

    private static AlterConfigOp set(String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static DesiredTopic desired(int partitions, int replicas, Map<String, String> config) {
        return new DesiredTopic("orders", partitions, (short) replicas, config);
    }

    private static ObservedTopic observed(int partitions, int replicationFactor, Map<String, String> overrides) {
        return new ObservedTopic("orders", ID, partitions, replicationFactor, overrides);
    }

    @Test
    void planListsEveryUnsupportedChange() {
        TopicPlan plan = TopicDiff.plan(desired(1, 2, Map.of()), Optional.of(observed(3, 1, Map.of())));

        assertThat(plan.unsupported()).hasSize(2);
        assertThat(plan.configChanges()).isEqualTo(List.of());
    }
}
