package dev.skein.operator.topic;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A topic as the broker describes it: id, partition count, replication factor (the largest replica list of any
 * partition) and the topic-level config overrides (DescribeConfigs entries whose source is DYNAMIC_TOPIC_CONFIG;
 * broker defaults are not included).
 */
public record ObservedTopic(
        String name, String topicId, int partitions, int replicationFactor, Map<String, String> overrides) {
    public ObservedTopic {
        Objects.requireNonNull(name, "name");
        overrides = Collections.unmodifiableSortedMap(new TreeMap<>(overrides));
    }
}
