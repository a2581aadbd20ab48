package dev.skein.operator.topic;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.admin.AlterConfigOp;

/**
 * What to do to make the broker's topic match the spec, and what cannot be done.
 *
 * @param create create the topic (with the spec's partitions, replicas and config); nothing else applies then
 * @param newPartitionCount the total partition count to grow to, or 0 to leave the partitions alone
 * @param configChanges SET for spec entries the broker lacks or holds a different value for, DELETE for overrides
 *     the spec does not list; empty when the configs match
 * @param unsupported one human sentence per requested change the operator cannot make; empty when there is none
 */
public record TopicPlan(
        boolean create, int newPartitionCount, List<AlterConfigOp> configChanges, List<String> unsupported) {
    public TopicPlan {
        configChanges = List.copyOf(configChanges);
        unsupported = List.copyOf(unsupported);
    }

    /** The plan that creates the topic. */
    public static TopicPlan createTopic() {
        return new TopicPlan(true, 0, List.of(), List.of());
    }

    /** True when the broker already matches everything the operator is able to change. */
    public boolean isNoOp() {
        return !create && newPartitionCount == 0 && configChanges.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicPlan other
                && create == other.create
                && newPartitionCount == other.newPartitionCount
                && configChanges.equals(other.configChanges)
                && unsupported.equals(other.unsupported);
    }

    @Override
    public int hashCode() {
        return Objects.hash(create, newPartitionCount, configChanges, unsupported);
    }
}
