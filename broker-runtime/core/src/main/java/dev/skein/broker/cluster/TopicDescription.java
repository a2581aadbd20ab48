package dev.skein.broker.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A topic as stored in ZooKeeper: name, id, partitions sorted by partition number, and its config overrides (only the
 * keys set for this topic; broker defaults are not folded in).
 */
public record TopicDescription(
        String name, Uuid topicId, Map<Integer, PartitionState> partitions, Map<String, String> configs) {
    public TopicDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
        partitions = Collections.unmodifiableSortedMap(new TreeMap<>(partitions));
        configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
    }

    public int partitionCount() {
        return partitions.size();
    }
}
