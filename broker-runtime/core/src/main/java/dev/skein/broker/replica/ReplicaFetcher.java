package dev.skein.broker.replica;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates the partitions this broker follows whose leader is one given broker and whose fetcher id
 * ({@link #fetcherIdFor}, as Kafka: a hash of the partition modulo {@code num.replica.fetchers}) is this fetcher's, on
 * one thread, over one blocking connection.
 *
 * <p>Each round: partitions whose leader epoch changed since they were last reconciled first ask the leader, with
 * OffsetForLeaderEpoch, where the follower's latest epoch ends on the leader and truncate there (the leader-epoch
 * boundary — never the high watermark alone, which could drop records the new leader kept or keep records it does
 * not have); then one Fetch with this broker's replica id long-polls (replica.fetch.wait.max.ms) for all of them from
 * their log end offsets. Fetched batches are appended as they are (offsets and epochs kept) together with the
 * leader's high watermark, unless this broker's view of the partition changed meanwhile. A connection failure closes
 * the connection and retries after a short pause.
 *
 * <p>Partitions are isolated from each other: a partition whose truncation or append fails is set aside for
 * {@link #FAILED_PARTITION_BACKOFF_MS} and reconciled again afterwards while the others go on; partitions still to be
 * reconciled do not hold up the fetches of the others; and the order of the partitions in the fetch request rotates
 * every round, so one partition's backlog cannot take the whole {@code replica.fetch.max.bytes} round after round.
 */
final class ReplicaFetcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);
    private static final long BACKOFF_MS = 100;
    static final long FAILED_PARTITION_BACKOFF_MS = 1_000;

    /** Tuning shared by all fetchers of a broker. */
    record Settings(int localBrokerId, int maxBytes, int maxWaitMs, int socketTimeoutMs, int numFetchers) {}

    private final int leaderId;
    private final int fetcherId;
    private final Time time;
    private final Map<TopicPartition, Long> failedUntilMs = new HashMap<>();
    private int rotation;
    private final Settings settings;
    private final PartitionRegistry partitions;
    private final MetadataStore metadata;
    private final Object signal = new Object();
    private final Map<TopicPartition, Integer> reconciledEpoch = new HashMap<>();
    private volatile boolean running = true;
    private volatile LeaderConnection connection;
    private BrokerRegistration connectedTo;

    ReplicaFetcher(
            int leaderId,
            int fetcherId,
            Settings settings,
            PartitionRegistry partitions,
            MetadataStore metadata,
            Time time) {
        this.leaderId = leaderId;
        this.fetcherId = fetcherId;
        this.time = time;
        this.settings = settings;
        this.partitions = partitions;
        this.metadata = metadata;
    }

    /** Which of {@code numFetchers} fetchers per leader replicates {@code tp} (Kafka's assignment). */
    static int fetcherIdFor(TopicPartition tp, int numFetchers) {
        return Utils.abs(31 * tp.topic().hashCode() + tp.partition()) % numFetchers;
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    round();
                } catch (IOException e) {
                    if (running) {
                        log.info("Replica fetch from broker {} failed, reconnecting: {}", leaderId, e.toString());
                    }
                    disconnect();
                    pause(BACKOFF_MS);
                } catch (RuntimeException e) {
                    log.warn("Replica fetch from broker {} failed", leaderId, e);
                    disconnect();
                    pause(BACKOFF_MS);
                }
            }
        } finally {
            disconnect();
        }
    }

    /** Wakes the thread so it sees changed partition states at once. */
    void wakeUp() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Stops the thread (closing the socket ends a blocked fetch). */
    void shutdown() {
        running = false;
        wakeUp();
        disconnect();
    }

    private void round() throws IOException {
        List<Partition> followed = followed();
        if (followed.isEmpty()) {
            disconnect();
            pause(settings.maxWaitMs());
            return;
        }
        Optional<BrokerRegistration> leader = metadata.liveBrokers().stream()
                .filter(broker -> broker.id() == leaderId)
                .findFirst();
        if (leader.isEmpty()) {
            disconnect();
            pause(BACKOFF_MS);
            return;
        }
        LeaderConnection conn = connect(leader.get());
        List<Partition> unreconciled = new ArrayList<>();
        List<Partition> ready = new ArrayList<>();
        for (Partition partition : followed) {
            Integer epoch = reconciledEpoch.get(partition.topicPartition());
            (epoch != null && epoch == partition.leaderEpoch() ? ready : unreconciled).add(partition);
        }
        if (!unreconciled.isEmpty()) {
            truncate(conn, unreconciled);
        }
        if (!ready.isEmpty()) {
            Collections.rotate(ready, -(rotation++ % ready.size()));
            fetch(conn, ready);
        }
    }

    private List<Partition> followed() {
        List<Partition> out = new ArrayList<>();
        long now = time.milliseconds();
        failedUntilMs.values().removeIf(until -> until <= now);
        for (Partition partition : partitions.all()) {
            TopicPartition tp = partition.topicPartition();
            if (partition.state().leader() == leaderId
                    && !partition.isLeader()
                    && fetcherIdFor(tp, settings.numFetchers()) == fetcherId
                    && !failedUntilMs.containsKey(tp)) {
                out.add(partition);
            }
        }
        reconciledEpoch.keySet().removeIf(tp -> out.stream()
                .noneMatch(p -> p.topicPartition().equals(tp)));
        return out;
    }

    private void truncate(LeaderConnection conn, List<Partition> unreconciled) throws IOException {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        Map<TopicPartition, Partition> asked = new HashMap<>();
        Map<TopicPartition, Integer> askedEpoch = new HashMap<>();
        for (Partition partition : unreconciled) {
            TopicPartition tp = partition.topicPartition();
            int currentEpoch = partition.leaderEpoch();
            OptionalInt latest = partition.log().latestEpoch();
            if (latest.isEmpty()) {
                // No epoch recorded locally (empty log): there is nothing that could have diverged.
                if (partition.truncateAsFollower(partition.log().logEndOffset(), currentEpoch)) {
                    reconciledEpoch.put(tp, currentEpoch);
                }
                continue;
            }
            OffsetForLeaderTopic topic = topics.find(tp.topic());
            if (topic == null) {
                topic = new OffsetForLeaderTopic().setTopic(tp.topic());
                topics.add(topic);
            }
            topic.partitions()
                    .add(new OffsetForLeaderPartition()
                            .setPartition(tp.partition())
                            .setCurrentLeaderEpoch(currentEpoch)
                            .setLeaderEpoch(latest.getAsInt()));
            asked.put(tp, partition);
            askedEpoch.put(tp, currentEpoch);
        }
        if (asked.isEmpty()) {
            return;
        }
        OffsetsForLeaderEpochRequest request = OffsetsForLeaderEpochRequest.Builder.forFollower(
                        topics, settings.localBrokerId())
                .build(ApiKeys.OFFSET_FOR_LEADER_EPOCH.latestVersion());
        OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse) conn.send(request);
        boolean anyError = false;
        for (OffsetForLeaderTopicResult topic : response.data().topics()) {
            for (EpochEndOffset result : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.topic(), result.partition());
                Partition partition = asked.get(tp);
                if (partition == null) {
                    continue;
                }
                if (result.errorCode() != Errors.NONE.code()) {
                    anyError = true;
                    continue;
                }
                try {
                    TruncationPoint point = truncationOffset(partition.log(), result.leaderEpoch(), result.endOffset());
                    if (partition.truncateAsFollower(point.offset(), askedEpoch.get(tp)) && point.complete()) {
                        reconciledEpoch.put(tp, askedEpoch.get(tp));
                    }
                } catch (RuntimeException e) {
                    setAside(tp, e);
                }
            }
        }
        if (anyError) {
            // The leader does not know the epoch yet (or no longer leads): wait for metadata to settle.
            pause(BACKOFF_MS);
        }
    }

    /**
     * Where the follower truncates, given the leader's answer for the follower's latest epoch (or a diverging epoch in
     * a fetch response), and whether that is final (KIP-101/KIP-279, as Kafka's {@code getOffsetTruncationState}).
     * When the leader's epoch is one the follower knows, the logs agree up to the smaller of both ends of that epoch.
     * When the follower does not know it (follower 1@0, 3@50; leader answers 2 ending at 60), the follower can only
     * be sure of its own epochs below it: it truncates to where its largest smaller epoch ends (50) and asks again
     * with that epoch (1, which ends at 40 on the leader), until the epochs match.
     */
    static TruncationPoint truncationOffset(PartitionLog local, int leaderEpoch, long leaderEndOffset) {
        long leo = local.logEndOffset();
        if (leaderEpoch < 0 || leaderEndOffset < 0) {
            // The leader has no epoch at or below ours: none of our records are known to be on it.
            return new TruncationPoint(Math.min(leo, local.highWatermark()), true);
        }
        PartitionLog.EpochEndOffset localEnd = local.endOffsetForEpoch(leaderEpoch);
        if (localEnd.epoch() < 0) {
            // Every local epoch is newer than the leader's answer: nothing local is known to be the leader's.
            return new TruncationPoint(Math.min(leo, Math.min(leaderEndOffset, local.logStartOffset())), true);
        }
        if (localEnd.epoch() != leaderEpoch) {
            return new TruncationPoint(Math.min(leo, localEnd.endOffset()), false);
        }
        return new TruncationPoint(Math.min(leo, Math.min(leaderEndOffset, localEnd.endOffset())), true);
    }

    /** A truncation offset and whether the follower's log then agrees with the leader's (else: ask again). */
    record TruncationPoint(long offset, boolean complete) {}

    private void fetch(LeaderConnection conn, List<Partition> ready) throws IOException {
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        Map<TopicPartition, Integer> sentEpoch = new HashMap<>();
        Map<Uuid, String> topicNames = new HashMap<>();
        for (Partition partition : ready) {
            TopicPartition tp = partition.topicPartition();
            PartitionLog partitionLog = partition.log();
            int epoch = partition.leaderEpoch();
            data.put(
                    tp,
                    new FetchRequest.PartitionData(
                            partition.topicId(),
                            partitionLog.logEndOffset(),
                            partitionLog.logStartOffset(),
                            settings.maxBytes(),
                            Optional.of(epoch),
                            lastFetchedEpoch(partitionLog)));
            sentEpoch.put(tp, epoch);
            topicNames.put(partition.topicId(), tp.topic());
        }
        for (TopicDescription topic : metadata.topics()) {
            topicNames.putIfAbsent(topic.topicId(), topic.name());
        }
        short version = ApiKeys.FETCH.latestVersion();
        FetchRequest request = FetchRequest.Builder.forReplica(
                        version, settings.localBrokerId(), -1L, settings.maxWaitMs(), 1, data)
                .setMaxBytes(settings.maxBytes())
                .build(version);
        FetchResponse response = (FetchResponse) conn.send(request);
        boolean anyError = response.error() != Errors.NONE;
        for (Map.Entry<TopicPartition, FetchResponseData.PartitionData> e :
                response.responseData(topicNames, version).entrySet()) {
            TopicPartition tp = e.getKey();
            FetchResponseData.PartitionData result = e.getValue();
            Optional<Partition> partition = partitions.get(tp);
            Integer epoch = sentEpoch.get(tp);
            if (partition.isEmpty() || epoch == null) {
                continue;
            }
            try {
                anyError |= !apply(partition.get(), epoch, result);
            } catch (RuntimeException ex) {
                setAside(tp, ex);
            }
        }
        if (anyError) {
            pause(BACKOFF_MS);
        }
    }

    /** Applies one partition's fetch result; returns false for an error answer. */
    private boolean apply(Partition partition, int epoch, FetchResponseData.PartitionData result) {
        TopicPartition tp = partition.topicPartition();
        if (result.errorCode() != Errors.NONE.code()) {
            if (result.errorCode() == Errors.OFFSET_OUT_OF_RANGE.code()
                    && !partition.restartAsFollower(result.logStartOffset(), epoch)) {
                // Not below the leader's log start, so diverged in a way the epochs did not reveal: reconcile
                // again before the next fetch.
                reconciledEpoch.remove(tp);
            }
            return false;
        }
        Optional<FetchResponseData.EpochEndOffset> diverging = FetchResponse.divergingEpoch(result);
        if (diverging.isPresent()) {
            // The leader's log differs from ours before our log end (KIP-320): truncate; if that is not yet
            // where the logs agree, the next fetch carries the new last epoch and the leader answers again.
            TruncationPoint point = truncationOffset(
                    partition.log(), diverging.get().epoch(), diverging.get().endOffset());
            partition.truncateAsFollower(point.offset(), epoch);
            return true;
        }
        MemoryRecords records = completeBatches(FetchResponse.recordsOrFail(result));
        partition.appendAsFollower(records, epoch, result.highWatermark());
        return true;
    }

    /** Takes a partition whose replication failed out of the rounds for a while; it is reconciled again after. */
    private void setAside(TopicPartition tp, RuntimeException e) {
        log.warn(
                "Replicating {} from broker {} failed; retrying it in {} ms while the other partitions go on",
                tp,
                leaderId,
                FAILED_PARTITION_BACKOFF_MS,
                e);
        failedUntilMs.put(tp, time.milliseconds() + FAILED_PARTITION_BACKOFF_MS);
        reconciledEpoch.remove(tp);
    }

    /** The epoch of the last batch in the follower's log (Fetch v12+), so the leader can tell a divergence. */
    private static Optional<Integer> lastFetchedEpoch(PartitionLog partitionLog) {
        OptionalInt latest = partitionLog.latestEpoch();
        return latest.isPresent() ? Optional.of(latest.getAsInt()) : Optional.empty();
    }

    /** The whole batches of a fetched chunk (a size-limited fetch may end in a partial batch). */
    private static MemoryRecords completeBatches(Records records) {
        MemoryRecords memory = (MemoryRecords) records;
        int size = 0;
        for (MutableRecordBatch batch : memory.batches()) {
            size += batch.sizeInBytes();
        }
        if (size == memory.sizeInBytes()) {
            return memory;
        }
        ByteBuffer buffer = memory.buffer().duplicate();
        buffer.limit(buffer.position() + size);
        return MemoryRecords.readableRecords(buffer.slice());
    }

    private LeaderConnection connect(BrokerRegistration leader) throws IOException {
        LeaderConnection conn = connection;
        if (conn != null && leader.equals(connectedTo)) {
            return conn;
        }
        disconnect();
        conn = LeaderConnection.open(
                leader.host(),
                leader.port(),
                settings.socketTimeoutMs(),
                "skein-replica-fetcher-" + settings.localBrokerId() + "-" + leaderId);
        connection = conn;
        connectedTo = leader;
        if (!running) {
            disconnect();
            throw new IOException("Fetcher stopped");
        }
        return conn;
    }

    private void disconnect() {
        LeaderConnection conn = connection;
        connection = null;
        if (conn != null) {
            try {
                conn.close();
            } catch (IOException e) {
                log.debug("Closing the connection to broker {}: {}", leaderId, e.toString());
            }
        }
    }

    private void pause(long ms) {
        synchronized (signal) {
            if (!running) {
                return;
            }
            try {
                signal.wait(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }
}
