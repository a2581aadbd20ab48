package dev.skein.broker.replica;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.MetadataListener;
import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts up to {@code num.replica.fetchers} {@link ReplicaFetcher} threads per broker that leads a partition this
 * broker follows (each partition goes to the fetcher {@link ReplicaFetcher#fetcherIdFor} names), and wakes them on
 * metadata changes so they notice new leaders and epochs at once. Register it as a {@link MetadataListener} after
 * the {@link PartitionRegistry} so partitions are up to date when it looks. Threads are kept (idle) once started
 * and stopped by {@link #close()}, which may be called more than once. A fetcher thread that dies (an
 * {@link Error}) is replaced at once, so its partitions do not silently stop replicating.
 */
public final class ReplicaFetcherManager implements MetadataListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private final PartitionRegistry partitions;
    private final MetadataStore metadata;
    private final ReplicaFetcher.Settings settings;
    private final Time time;
    private final Map<FetcherKey, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<FetcherKey, Thread> threads = new HashMap<>();
    private boolean closed;

    public ReplicaFetcherManager(
            PartitionRegistry partitions,
            MetadataStore metadata,
            int localBrokerId,
            int fetchMaxBytes,
            int fetchWaitMaxMs,
            int socketTimeoutMs,
            int numFetchers,
            Time time) {
        this.partitions = partitions;
        this.metadata = metadata;
        this.time = time;
        this.settings =
                new ReplicaFetcher.Settings(localBrokerId, fetchMaxBytes, fetchWaitMaxMs, socketTimeoutMs, numFetchers);
    }

    /** One fetcher: the leader it fetches from and its id among that leader's fetchers. */
    private record FetcherKey(int leader, int fetcherId) {}

    /** Starts fetchers for the partitions followed now; call once after loading the partitions. */
    public void start() {
        refresh();
    }

    @Override
    public void topicChanged(TopicDescription topic) {
        refresh();
    }

    @Override
    public void topicDeleted(String name, Uuid topicId) {
        refresh();
    }

    @Override
    public void brokersChanged(List<BrokerRegistration> liveBrokers) {
        refresh();
    }

    private synchronized void refresh() {
        if (closed) {
            return;
        }
        for (Partition partition : partitions.all()) {
            int leader = partition.state().leader();
            if (leader < 0 || partition.isLeader()) {
                continue;
            }
            FetcherKey key = new FetcherKey(
                    leader, ReplicaFetcher.fetcherIdFor(partition.topicPartition(), settings.numFetchers()));
            Thread thread = threads.get(key);
            if (thread == null || !thread.isAlive()) {
                start(key);
            }
        }
        fetchers.values().forEach(ReplicaFetcher::wakeUp);
    }

    private void start(FetcherKey key) {
        ReplicaFetcher fetcher =
                new ReplicaFetcher(key.leader(), key.fetcherId(), settings, partitions, metadata, time);
        Thread thread = new Thread(
                fetcher,
                "skein-replica-fetcher-" + settings.localBrokerId() + "-" + key.leader() + "-" + key.fetcherId());
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((dead, error) -> replaceDead(key, dead, error));
        fetchers.put(key, fetcher);
        threads.put(key, thread);
        thread.start();
        log.debug(
                "Started replica fetcher {} of broker {} for leader {}",
                key.fetcherId(),
                settings.localBrokerId(),
                key.leader());
    }

    /** Runs on the dying thread: forgets it and starts a replacement. */
    private void replaceDead(FetcherKey key, Thread dead, Throwable error) {
        log.error("Replica fetcher {} died; starting a new one", dead.getName(), error);
        synchronized (this) {
            if (threads.get(key) != dead || closed) {
                return;
            }
            threads.remove(key);
            fetchers.remove(key);
            start(key);
        }
    }

    @Override
    public void close() throws InterruptedException {
        Map<FetcherKey, Thread> running;
        synchronized (this) {
            closed = true;
            fetchers.values().forEach(ReplicaFetcher::shutdown);
            running = new HashMap<>(threads);
        }
        for (Map.Entry<FetcherKey, Thread> e : running.entrySet()) {
            e.getValue().join(30_000);
            if (e.getValue().isAlive()) {
                log.warn("Replica fetcher for leader {} did not stop within 30 s", e.getKey());
            }
        }
    }
}
