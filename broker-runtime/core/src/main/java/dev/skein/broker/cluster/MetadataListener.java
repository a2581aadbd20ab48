package dev.skein.broker.cluster;

import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * Callbacks for changes to the cluster metadata held by a {@link MetadataStore}.
 *
 * <p>All callbacks run on the store's single metadata event thread, one at a time, in the order ZooKeeper reported the
 * changes, and only after the store's cache reflects the change (so {@link MetadataStore#topic(String)} called from a
 * callback sees it). Callbacks must return quickly and must not call the store's write methods, which wait for that
 * same thread. A listener only sees changes that happen after it was added; read the current state from the store.
 */
public interface MetadataListener {
    /** A topic appeared, or its partitions, leadership or configs changed. */
    default void topicChanged(TopicDescription topic) {}

    /** A topic was deleted. */
    default void topicDeleted(String name, Uuid topicId) {}

    /** The set of live brokers changed; {@code liveBrokers} is the complete new set, sorted by id. */
    default void brokersChanged(List<BrokerRegistration> liveBrokers) {}
}
