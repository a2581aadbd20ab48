package dev.skein.broker.partition;

import dev.skein.broker.cluster.MetadataListener;
import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, kept in line with the topic metadata in ZooKeeper: a topic that appears gets a
 * log per partition assigned to this broker, a config change reaches the logs, a deleted topic's logs are removed.
 * {@link #apply} and {@link #remove} are idempotent and serialised; lookups are lock-free.
 */
public final class PartitionRegistry implements MetadataListener {
    private static final Logger log = LoggerFactory.getLogger(PartitionRegistry.class);

    private final int brokerId;
    private final Map<String, String> logDefaults;
    private final LogManager logManager;
    private final Time time;
    private volatile Runnable isrExpansionListener = () -> {};
    private volatile boolean metadataSessionLive = true;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final List<Consumer<TopicPartition>> highWatermarkListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<TopicPartition>> logEndListeners = new CopyOnWriteArrayList<>();
    private final List<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();

    /** Told when this broker starts or stops leading a local partition (called under the registry's lock). */
    @FunctionalInterface
    public interface LeadershipListener {
        void leadershipChanged(TopicPartition tp, boolean leader);
    }

    /**
     * @param brokerId this broker's id: partitions assigned to it get a local log
     * @param logDefaults topic key to this broker's default, under each topic's overrides
     */
    public PartitionRegistry(int brokerId, Map<String, String> logDefaults, LogManager logManager, Time time) {
        this.brokerId = brokerId;
        this.logDefaults = logDefaults;
        this.logManager = logManager;
        this.time = time;
    }

    /**
     * Called (on any thread) whenever a partition's high watermark advances or its state changes, e.g. to wake delayed
     * fetches and produces.
     */
    public void addHighWatermarkListener(Consumer<TopicPartition> listener) {
        highWatermarkListeners.add(listener);
    }

    /**
     * Called (on the appending thread) when an append as leader moved a partition's log end but not its high
     * watermark: what parked follower fetches wait for. An append calls either these listeners or the high watermark
     * listeners, once, never both.
     */
    public void addLogEndListener(Consumer<TopicPartition> listener) {
        logEndListeners.add(listener);
    }

    /**
     * Registers a leadership listener. Register before {@link #loadAll} to also hear about the partitions this broker
     * leads at start-up.
     */
    public void addLeadershipListener(LeadershipListener listener) {
        leadershipListeners.add(listener);
    }

    /** Called (on a request thread) when a follower fetched enough to rejoin the ISR of a partition this broker leads. */
    public void setIsrExpansionListener(Runnable listener) {
        this.isrExpansionListener = listener;
    }

    /**
     * Told (on ZooKeeper's event thread) whether this broker's ZooKeeper connection is up. While it is not, the
     * controller may already have moved leadership away without this broker hearing of it, so no acks=all append is
     * acknowledged ({@link Partition#replicationOutcome}); when it is back, parked waits are re-checked.
     */
    public void metadataSessionChanged(boolean live) {
        metadataSessionLive = live;
        if (live) {
            partitions.keySet().forEach(this::highWatermarkAdvanced);
        }
    }

    /** Whether this broker's ZooKeeper connection was up at the last change (see {@link #metadataSessionChanged}). */
    public boolean metadataSessionLive() {
        return metadataSessionLive;
    }

    /** Records a follower's fetch position on a partition this broker leads (see {@link Partition}). */
    public void recordFollowerFetch(Partition partition, int replicaId, long fetchOffset) {
        if (partition.recordFollowerFetch(replicaId, fetchOffset)) {
            isrExpansionListener.run();
        }
    }

    public Optional<Partition> get(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    public Collection<Partition> all() {
        return partitions.values();
    }

    /** Brings the local partitions of {@code topic} in line with its description. */
    public synchronized void apply(TopicDescription topic) {
        LogConfig logConfig = LogConfig.of(logDefaults, topic.configs());
        logManager.updateConfig(topic.name(), logConfig);
        for (PartitionState state : topic.partitions().values()) {
            TopicPartition tp = new TopicPartition(topic.name(), state.partition());
            if (!state.replicas().contains(brokerId)) {
                removeUnassigned(tp, topic.topicId());
                continue;
            }
            Partition existing = partitions.get(tp);
            if (existing != null && existing.topicId().equals(topic.topicId())) {
                boolean wasLeader = existing.isLeader();
                existing.updateState(state);
                if (wasLeader != existing.isLeader()) {
                    leadershipChanged(tp, existing.isLeader());
                }
                continue;
            }
            try {
                PartitionLog partitionLog = logManager.getOrCreate(tp, logConfig, topic.topicId());
                Partition partition = new Partition(
                        tp,
                        topic.topicId(),
                        partitionLog,
                        brokerId,
                        state,
                        time,
                        this::highWatermarkAdvanced,
                        this::logEndAdvanced,
                        () -> metadataSessionLive);
                // A sole in-sync leader's high watermark is its log end: the checkpoint may lag after a crash.
                partition.updateState(state);
                Partition replaced = partitions.put(tp, partition);
                if (replaced != null && replaced.isLeader() && !partition.isLeader()) {
                    leadershipChanged(tp, false);
                }
                if (partition.isLeader()) {
                    leadershipChanged(tp, true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open the log of " + tp, e);
            }
        }
    }

    /** A replica reassigned away from this broker: its local copy goes. */
    private void removeUnassigned(TopicPartition tp, Uuid topicId) {
        Partition existing = partitions.get(tp);
        if (existing == null || !existing.topicId().equals(topicId)) {
            return;
        }
        partitions.remove(tp);
        if (existing.isLeader()) {
            leadershipChanged(tp, false);
        }
        log.info("Deleting the log of {}: this broker is no longer one of its replicas", tp);
        try {
            logManager.delete(tp);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the log of " + tp, e);
        }
    }

    /** Removes every local partition of {@code topic} and deletes its logs. */
    public synchronized void remove(String topic) {
        List<TopicPartition> gone = new ArrayList<>();
        for (TopicPartition tp : partitions.keySet()) {
            if (tp.topic().equals(topic)) {
                gone.add(tp);
            }
        }
        for (TopicPartition tp : gone) {
            Partition removed = partitions.remove(tp);
            if (removed != null && removed.isLeader()) {
                leadershipChanged(tp, false);
            }
        }
        try {
            logManager.delete(gone);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the logs of topic " + topic, e);
        }
    }

    /**
     * Applies every known topic and deletes logs on disk whose topic no longer exists (deleted while this broker
     * was down).
     */
    public synchronized void loadAll(Collection<TopicDescription> topics) {
        Set<String> known = new HashSet<>();
        for (TopicDescription topic : topics) {
            known.add(topic.name());
            apply(topic);
        }
        for (PartitionLog partitionLog : List.copyOf(logManager.logs())) {
            TopicPartition tp = partitionLog.topicPartition();
            if (!known.contains(tp.topic())) {
                log.info("Deleting the log of {}: its topic no longer exists", tp);
                try {
                    logManager.delete(tp);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot delete the log of " + tp, e);
                }
            }
        }
    }

    @Override
    public void topicChanged(TopicDescription topic) {
        apply(topic);
    }

    @Override
    public void topicDeleted(String name, Uuid topicId) {
        remove(name);
    }

    private void leadershipChanged(TopicPartition tp, boolean leader) {
        for (LeadershipListener listener : leadershipListeners) {
            listener.leadershipChanged(tp, leader);
        }
    }

    private void logEndAdvanced(TopicPartition tp) {
        for (Consumer<TopicPartition> listener : logEndListeners) {
            listener.accept(tp);
        }
    }

    private void highWatermarkAdvanced(TopicPartition tp) {
        for (Consumer<TopicPartition> listener : highWatermarkListeners) {
            listener.accept(tp);
        }
    }
}
