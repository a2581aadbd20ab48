package dev.skein.operator.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;

/**
 * Compares the desired topic with what the broker has and returns the {@link TopicPlan} that reconciles them, with
 * the semantics of Strimzi's topic operator: the spec wins for configs (drift is set back, overrides the spec does not
 * list are deleted so the broker default applies again), partitions only grow, and the replication factor is fixed
 * after creation. Changes that cannot be made are listed, while the possible ones are still planned. Pure and
 * thread-safe.
 */
public final class TopicDiff {
    private TopicDiff() {}

    public static TopicPlan plan(DesiredTopic desired, Optional<ObservedTopic> observed) {
        if (observed.isEmpty()) {
            return TopicPlan.createTopic();
        }
        ObservedTopic actual = observed.get();
        List<String> unsupported = new ArrayList<>();
        int newPartitionCount = 0;
        if (desired.partitions() > actual.partitions()) {
            newPartitionCount = desired.partitions();
        } else if (desired.partitions() < actual.partitions()) {
            unsupported.add("decreasing partitions from " + actual.partitions() + " to " + desired.partitions()
                    + " is not supported (Kafka partitions can only be added); the topic keeps "
                    + actual.partitions());
        }
        if (desired.replicas() != actual.replicationFactor()) {
            unsupported.add("changing replicas from " + actual.replicationFactor() + " to " + desired.replicas()
                    + " is not supported until partition reassignment is supported");
        }
        return new TopicPlan(
                false, newPartitionCount, configChanges(desired.config(), actual.overrides()), unsupported);
    }

    private static List<AlterConfigOp> configChanges(Map<String, String> desired, Map<String, String> overrides) {
        List<AlterConfigOp> changes = new ArrayList<>();
        desired.forEach((key, value) -> {
            if (!value.equals(overrides.get(key))) {
                changes.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
            }
        });
        overrides.keySet().stream()
                .filter(key -> !desired.containsKey(key))
                .forEach(key -> changes.add(new AlterConfigOp(new ConfigEntry(key, ""), AlterConfigOp.OpType.DELETE)));
        return changes;
    }
}
