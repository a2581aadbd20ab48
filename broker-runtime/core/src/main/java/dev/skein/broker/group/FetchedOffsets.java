package dev.skein.broker.group;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Result of an OffsetFetch for one group.
 *
 * @param error NONE or a coordinator error (then the other fields are empty)
 * @param offsets the committed offsets, null where none is committed
 * @param unstable partitions for which an open transaction holds an offset (only reported with
 *     {@code require_stable}); they answer UNSTABLE_OFFSET_COMMIT
 */
public record FetchedOffsets(
        Errors error, Map<TopicPartition, CommittedOffset> offsets, Set<TopicPartition> unstable) {}
