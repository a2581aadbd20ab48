package dev.skein.server.admin;

import java.util.List;
import java.util.Map;

/** The JSON bodies of {@link TopicResource}. */
public final class TopicViews {
    private TopicViews() {}

    /** One line of the topic list. */
    public record TopicSummary(
            String name, int partitions, int replicationFactor, int underReplicatedPartitions, boolean internal) {}

    /**
     * A topic to create; {@code partitions} and {@code replicationFactor} default to the broker's {@code
     * num.partitions} and {@code default.replication.factor} when absent.
     */
    public record NewTopicRequest(
            String name, Integer partitions, Integer replicationFactor, Map<String, String> configs) {}

    /**
     * One partition of a described topic.
     *
     * @param sizeInBytes size of the partition's log on disk, when this broker hosts a replica; {@code null} otherwise
     */
    public record PartitionView(
            int partition,
            int leader,
            List<Integer> replicas,
            List<Integer> isr,
            long logStartOffset,
            long logEndOffset,
            Long sizeInBytes) {}

    /** A described topic; {@code configs} are the overrides set on the topic (broker defaults not included). */
    public record TopicView(
            String name,
            String topicId,
            boolean internal,
            int replicationFactor,
            List<PartitionView> partitions,
            Map<String, String> configs) {}

    /** Config changes: keys to set and keys to delete (back to the broker default). */
    public record ConfigChanges(Map<String, String> set, List<String> delete) {}

    /** The new total number of partitions (it can only grow). */
    public record PartitionCountRequest(Integer count) {}
}
