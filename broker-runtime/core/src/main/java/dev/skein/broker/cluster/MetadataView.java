package dev.skein.broker.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * The read-only side of the cluster metadata: topics, partitions and live brokers from the in-memory cache that
 * ZooKeeper watches keep current ({@link MetadataWatcher}). No method touches ZooKeeper; all are cheap enough for
 * every request.
 *
 * <p><b>Threads:</b> all methods are thread-safe. {@link MetadataListener}s are called on the single metadata event
 * thread after the cache was updated. {@link #awaitMetadata} blocks and must not be called from that thread.
 */
public final class MetadataView {
    private final MetadataCache cache;
    private final MetadataWatcher watcher;
    private final Time time;
    private final int sessionTimeoutMs;

    MetadataView(MetadataCache cache, MetadataWatcher watcher, Time time, int sessionTimeoutMs) {
        this.cache = cache;
        this.watcher = watcher;
        this.time = time;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /** The topic from the cache. */
    public Optional<TopicDescription> topic(String name) {
        return cache.topic(name);
    }

    /** The topic with this id from the cache. */
    public Optional<TopicDescription> topic(Uuid id) {
        return cache.topic(id);
    }

    /** All topics from the cache, sorted by name. */
    public Collection<TopicDescription> topics() {
        return cache.topics();
    }

    /** Topic id to name for every known topic: a live read-only view, cheap enough for every fetch request. */
    public Map<Uuid, String> topicNamesById() {
        return cache.namesById();
    }

    /** Live brokers sorted by id, from the cache. */
    public List<BrokerRegistration> liveBrokers() {
        return cache.brokers();
    }

    /** Adds a listener for changes made from now on; see {@link MetadataListener} for the threading contract. */
    public void addListener(MetadataListener listener) {
        watcher.addListener(listener);
    }

    /**
     * Blocks until {@code condition} holds; it is re-evaluated whenever the cache changes (no polling).
     *
     * @return whether it held within {@code timeoutMs}
     */
    public boolean awaitMetadata(Supplier<Boolean> condition, long timeoutMs) throws InterruptedException {
        try {
            cache.awaitUntil(condition, time, time.milliseconds() + timeoutMs);
            return true;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return false;
        }
    }

    /**
     * The non-blocking {@link #awaitMetadata}: completes with true once {@code condition} holds (checked now and after
     * every cache change), or with false after {@code timeoutMs} of wall-clock time; no thread waits meanwhile. The
     * condition runs on the metadata event thread and must be cheap; the future may complete there or on the JDK's
     * timeout thread, so callers move further work to an executor of their own.
     */
    public CompletableFuture<Boolean> whenMetadata(Supplier<Boolean> condition, long timeoutMs) {
        return cache.whenTrue(condition).completeOnTimeout(false, Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
    }

    /** The cache entry of a topic, with the znode versions writers wait for. */
    Optional<MetadataCache.TopicEntry> entry(String name) {
        return cache.entry(name);
    }

    /**
     * Waits until a write shows in the cache, up to the session timeout.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException if it does not show in time
     */
    void awaitWrite(Supplier<Boolean> condition) throws InterruptedException {
        cache.awaitUntil(condition, time, time.milliseconds() + sessionTimeoutMs);
    }

    /** Whether the topic with this id is known to be deleted or replaced (see {@link MetadataCache#retire}). */
    boolean retired(Uuid topicId) {
        return cache.retired(topicId);
    }

    /** Records that this broker deleted the topic with this id, for writers waiting on it. */
    void retire(Uuid topicId) {
        cache.retire(topicId);
    }

    /** The session timeout, the longest any write waits for the cache. */
    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    /** Writers wait for the event thread, so they must not run on it. */
    void checkNotEventThread() {
        if (watcher.isEventThread()) {
            throw new IllegalStateException(
                    "MetadataStore writes wait for the metadata event thread and cannot be called from a listener");
        }
    }
}
