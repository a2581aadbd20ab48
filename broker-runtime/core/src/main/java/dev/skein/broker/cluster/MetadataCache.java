package dev.skein.broker.cluster;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * The in-memory copy of the topic and broker metadata that {@link MetadataStore} serves reads from.
 *
 * <p>Threading: only the metadata event thread ({@link MetadataWatcher}) mutates it; any thread may read. Each topic
 * entry is replaced as a whole, so a reader sees a topic either before or after a change, never half of one. Writers
 * that need read-your-writes block in {@link #awaitUntil} until the event thread has applied their change.
 */
final class MetadataCache {
    /**
     * A topic plus the znode versions it was built from, which is what writers wait for.
     *
     * @param configVersion the version of {@code /config/topics/<t>}, -1 if that znode is absent
     */
    record TopicEntry(TopicDescription description, int assignmentVersion, int configVersion) {}

    private final Map<String, TopicEntry> topicsByName = new ConcurrentHashMap<>();
    private final Map<Uuid, String> namesById = new ConcurrentHashMap<>();
    private volatile List<BrokerRegistration> brokers = List.of();
    private final Object changes = new Object();

    Optional<TopicEntry> entry(String name) {
        return Optional.ofNullable(topicsByName.get(name));
    }

    Optional<TopicDescription> topic(String name) {
        return entry(name).map(TopicEntry::description);
    }

    Optional<TopicDescription> topic(Uuid id) {
        String name = namesById.get(id);
        return name == null
                ? Optional.empty()
                : topic(name).filter(topic -> topic.topicId().equals(id));
    }

    List<TopicDescription> topics() {
        return topicsByName.values().stream()
                .map(TopicEntry::description)
                .sorted(Comparator.comparing(TopicDescription::name))
                .toList();
    }

    /** Live, read-only view of topic id to name; no copy per call. */
    Map<Uuid, String> namesById() {
        return java.util.Collections.unmodifiableMap(namesById);
    }

    List<BrokerRegistration> brokers() {
        return brokers;
    }

    void putTopic(TopicEntry entry) {
        TopicDescription topic = entry.description();
        TopicEntry previous = topicsByName.put(topic.name(), entry);
        if (previous != null && !previous.description().topicId().equals(topic.topicId())) {
            namesById.remove(previous.description().topicId(), topic.name());
        }
        namesById.put(topic.topicId(), topic.name());
        signal();
    }

    void removeTopic(String name) {
        TopicEntry previous = topicsByName.remove(name);
        if (previous != null) {
            namesById.remove(previous.description().topicId(), name);
        }
        signal();
    }

    void setBrokers(List<BrokerRegistration> liveBrokers) {
        brokers = List.copyOf(liveBrokers);
        signal();
    }

    /**
     * Blocks until {@code condition} holds on this cache.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException if it does not hold by {@code deadlineMs}
     */
    void awaitUntil(Supplier<Boolean> condition, Time time, long deadlineMs) throws InterruptedException {
        time.waitObject(changes, condition, deadlineMs);
    }

    private void signal() {
        synchronized (changes) {
            changes.notifyAll();
        }
    }
}
