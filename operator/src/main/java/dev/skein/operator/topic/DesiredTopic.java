package dev.skein.operator.topic;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** A validated spec: the topic the broker should have. */
public record DesiredTopic(String name, int partitions, short replicas, Map<String, String> config) {
    public DesiredTopic {
        Objects.requireNonNull(name, "name");
        config = Collections.unmodifiableSortedMap(new TreeMap<>(config));
    }

    /** The desired topic of a Topic resource that passed {@link TopicSpecValidator}. */
    public static DesiredTopic of(Topic topic) {
        TopicSpec spec = topic.getSpec();
        return new DesiredTopic(
                topic.effectiveTopicName(),
                spec.getPartitions(),
                spec.getReplicas().shortValue(),
                spec.getConfig());
    }
}
