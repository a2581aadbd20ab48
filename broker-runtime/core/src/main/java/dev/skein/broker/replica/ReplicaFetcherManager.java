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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one {@link ReplicaFetcher} thread per broker that leads a partition this broker follows, and wakes them on
 * metadata changes so they notice new leaders and epochs at once. Register it as a {@link MetadataListener} after
 * the {@link PartitionRegistry} so partitions are up to date when it looks. Threads are kept (idle) once started
 * and stopped by {@link #close()}, which may be called more than once.
 */
public final class ReplicaFetcherManager implements MetadataListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcherManager.class);

    private final PartitionRegistry partitions;
    private final MetadataStore metadata;
    private final ReplicaFetcher.Settings settings;
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    private final Map<Integer, Thread> threads = new HashMap<>();
    private boolean closed;

    public ReplicaFetcherManager(
            PartitionRegistry partitions,
            MetadataStore metadata,
            int localBrokerId,
            int fetchMaxBytes,
            int fetchWaitMaxMs,
            int socketTimeoutMs) {
        this.partitions = partitions;
        this.metadata = metadata;
        this.settings = new ReplicaFetcher.Settings(localBrokerId, fetchMaxBytes, fetchWaitMaxMs, socketTimeoutMs);
    }

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
            if (leader >= 0 && !partition.isLeader() && !fetchers.containsKey(leader)) {
                ReplicaFetcher fetcher = new ReplicaFetcher(leader, settings, partitions, metadata);
                Thread thread = new Thread(fetcher, "skein-replica-fetcher-" + settings.localBrokerId() + "-" + leader);
                thread.setDaemon(true);
                fetchers.put(leader, fetcher);
                threads.put(leader, thread);
                thread.start();
                log.debug("Started replica fetcher of broker {} for leader {}", settings.localBrokerId(), leader);
            }
        }
        fetchers.values().forEach(ReplicaFetcher::wakeUp);
    }

    @Override
    public void close() throws InterruptedException {
        Map<Integer, Thread> running;
        synchronized (this) {
            closed = true;
            fetchers.values().forEach(ReplicaFetcher::shutdown);
            running = new HashMap<>(threads);
        }
        for (Map.Entry<Integer, Thread> e : running.entrySet()) {
            e.getValue().join(30_000);
            if (e.getValue().isAlive()) {
                log.warn("Replica fetcher for leader {} did not stop within 30 s", e.getKey());
            }
        }
    }
}
