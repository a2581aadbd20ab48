package dev.skein.broker.cluster;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
    private final Set<Runnable> conditionChecks = ConcurrentHashMap.newKeySet();
    /** Ids of topics deleted or replaced since start (bounded, oldest dropped), so writers stop waiting for them. */
    private final Set<Uuid> retiredTopicIds =
            Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Uuid, Boolean> eldest) {
                    return size() > MAX_RETIRED_TOPIC_IDS;
                }
            }));

    private static final int MAX_RETIRED_TOPIC_IDS = 4096;

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
            retiredTopicIds.add(previous.description().topicId());
        }
        namesById.put(topic.topicId(), topic.name());
        signal();
    }

    void removeTopic(String name) {
        TopicEntry previous = topicsByName.remove(name);
        if (previous != null) {
            namesById.remove(previous.description().topicId(), name);
            retiredTopicIds.add(previous.description().topicId());
        }
        signal();
    }

    /**
     * Records that the topic with this id is gone (deleted or replaced by a topic of the same name), also when the event
     * thread never saw it: a create and a delete in quick succession can reach the cache as nothing at all.
     */
    void retire(Uuid topicId) {
        retiredTopicIds.add(topicId);
        signal();
    }

    /** Whether the topic with this id is known to be deleted or replaced. */
    boolean retired(Uuid topicId) {
        return retiredTopicIds.contains(topicId);
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

    /**
     * A future completed with true as soon as {@code condition} holds on this cache: checked now, on the calling
     * thread, and after every change, on the metadata event thread; no thread waits meanwhile. The condition must be
     * cheap. Completing the future otherwise (a timeout) stops the checks.
     */
    CompletableFuture<Boolean> whenTrue(Supplier<Boolean> condition) {
        CompletableFuture<Boolean> held = new CompletableFuture<>();
        Runnable check = () -> {
            if (!held.isDone() && condition.get()) {
                held.complete(true);
            }
        };
        conditionChecks.add(check);
        held.whenComplete((result, error) -> conditionChecks.remove(check));
        check.run();
        return held;
    }

    private void signal() {
        synchronized (changes) {
            changes.notifyAll();
        }
        conditionChecks.forEach(Runnable::run);
    }
}
