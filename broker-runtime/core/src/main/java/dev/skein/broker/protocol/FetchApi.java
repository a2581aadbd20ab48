package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.FetchSlice;
import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.partition.DelayedOperation;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.partition.Purgatory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * Fetch: returns file-backed record slices (sent zero-copy), up to the high watermark for consumers. If less than
 * {@code min.bytes} is available the request is parked in the {@link Purgatory} until an append brings enough data
 * or {@code max.wait.ms} passes — no thread waits. The wait is capped at {@code skein.fetch.max.wait.ms}, and a parked
 * fetch is dropped when its connection closes (the dispatcher cancels the returned future). Fetch sessions (KIP-227) are not kept: every response carries
 * session id 0, so clients send full fetch requests, which is what Kafka does with the session cache disabled.
 *
 * <p>A follower fetch ({@code replica_id} >= 0) is served up to the log end and moves the high watermark only for an
 * assigned replica of the partition; any other replica id gets UNKNOWN_LEADER_EPOCH (request with a leader epoch) or
 * NOT_LEADER_OR_FOLLOWER (without), as Kafka's {@code Partition} answers, and consumers (-1) are served as usual.
 */
final class FetchApi implements ApiHandler {
    private final MetadataStore metadata;
    private final PartitionRegistry partitions;
    private final Purgatory purgatory;
    private final BrokerMetrics metrics;
    private final int maxWaitMs;

    /** @param maxWaitMs longest a fetch is parked ({@code skein.fetch.max.wait.ms}); a client's MaxWaitMs is capped */
    FetchApi(
            MetadataStore metadata,
            PartitionRegistry partitions,
            Purgatory purgatory,
            BrokerMetrics metrics,
            int maxWaitMs) {
        this.metadata = metadata;
        this.partitions = partitions;
        this.purgatory = purgatory;
        this.metrics = metrics;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        FetchRequest fetch = (FetchRequest) request;
        Map<TopicIdPartition, FetchRequest.PartitionData> wanted = fetch.fetchData(metadata.topicNamesById());
        if (fetch.isFromFollower()) {
            recordFollowerPositions(fetch.replicaId(), wanted);
        }
        CompletableFuture<AbstractResponse> result = new CompletableFuture<>();
        Map<TopicIdPartition, FetchResponseData.PartitionData> now = read(fetch, wanted);
        long waitMs = Math.min(fetch.maxWait(), maxWaitMs);
        if (waitMs <= 0 || isSatisfied(fetch, wanted, now)) {
            result.complete(respond(now));
            return result;
        }
        List<TopicPartition> keys = new ArrayList<>();
        for (TopicIdPartition tip : wanted.keySet()) {
            if (tip.topic() != null) {
                keys.add(tip.topicPartition());
            }
        }
        DelayedOperation parked = new DelayedOperation(keys) {
            @Override
            protected boolean isSatisfied() {
                return hasNewData(fetch, wanted);
            }

            @Override
            protected void onComplete() {
                result.complete(respond(read(fetch, wanted)));
            }
        };
        // Cancelled when the connection closes: the fetch leaves the purgatory at once, not at its timeout.
        result.whenComplete((response, error) -> {
            if (result.isCancelled()) {
                purgatory.cancel(parked);
            }
        });
        purgatory.watch(parked, waitMs);
        return result;
    }

    /** A follower's fetch offset is its log end: the leader's input for the high watermark and the ISR. */
    private void recordFollowerPositions(int replicaId, Map<TopicIdPartition, FetchRequest.PartitionData> wanted) {
        for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> e : wanted.entrySet()) {
            if (e.getKey().topic() == null) {
                continue;
            }
            FetchRequest.PartitionData request = e.getValue();
            int epoch = request.currentLeaderEpoch.orElse(LeaderLookup.NO_EPOCH);
            partitions.get(e.getKey().topicPartition()).ifPresent(partition -> {
                if (isReplica(partition, replicaId)
                        && LeaderLookup.checkEpoch(epoch, partition.leaderEpoch()) == Errors.NONE
                        && diverging(partition, request).isEmpty()) {
                    // A diverged follower's fetch offset counts records this leader does not have.
                    partitions.recordFollowerFetch(partition, replicaId, request.fetchOffset);
                }
            });
        }
    }

    private static Optional<PartitionLog.EpochEndOffset> diverging(
            Partition partition, FetchRequest.PartitionData request) {
        return partition.divergingEpoch(request.lastFetchedEpoch.orElse(-1), request.fetchOffset);
    }

    private FetchResponse respond(Map<TopicIdPartition, FetchResponseData.PartitionData> data) {
        for (Map.Entry<TopicIdPartition, FetchResponseData.PartitionData> e : data.entrySet()) {
            int bytes =
                    e.getValue().records() == null ? 0 : e.getValue().records().sizeInBytes();
            if (bytes > 0) {
                metrics.topic(e.getKey().topic()).recordFetch(bytes);
            }
        }
        return FetchResponse.of(Errors.NONE, 0, FetchMetadata.INVALID_SESSION_ID, new LinkedHashMap<>(data), List.of());
    }

    private boolean isSatisfied(
            FetchRequest fetch,
            Map<TopicIdPartition, FetchRequest.PartitionData> wanted,
            Map<TopicIdPartition, FetchResponseData.PartitionData> read) {
        long bytes = 0;
        for (FetchResponseData.PartitionData data : read.values()) {
            if (data.errorCode() != Errors.NONE.code() || FetchResponse.isDivergingEpoch(data)) {
                return true;
            }
            bytes += data.records().sizeInBytes();
        }
        return bytes >= fetch.minBytes() || wanted.isEmpty();
    }

    /** Cheap wake-up test: any partition gained data past the fetch position, or failed. */
    private boolean hasNewData(FetchRequest fetch, Map<TopicIdPartition, FetchRequest.PartitionData> wanted) {
        if (fetch.minBytes() > 1) {
            return isSatisfied(fetch, wanted, read(fetch, wanted));
        }
        for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> e : wanted.entrySet()) {
            Optional<Partition> partition = e.getKey().topic() == null
                    ? Optional.empty()
                    : partitions.get(e.getKey().topicPartition());
            if (partition.isEmpty() || !partition.get().isLeader()) {
                return true;
            }
            if (readLimit(fetch, partition.get().log()) > e.getValue().fetchOffset) {
                return true;
            }
        }
        return false;
    }

    private Map<TopicIdPartition, FetchResponseData.PartitionData> read(
            FetchRequest fetch, Map<TopicIdPartition, FetchRequest.PartitionData> wanted) {
        Map<TopicIdPartition, FetchResponseData.PartitionData> out = new LinkedHashMap<>();
        int remaining = fetch.maxBytes();
        boolean first = true;
        for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> e : wanted.entrySet()) {
            TopicIdPartition tip = e.getKey();
            FetchRequest.PartitionData request = e.getValue();
            FetchResponseData.PartitionData data = readPartition(fetch, tip, request, remaining, first);
            int size = data.records() == null ? 0 : data.records().sizeInBytes();
            if (size > 0) {
                first = false;
                remaining = Math.max(0, remaining - size);
            }
            out.put(tip, data);
        }
        return out;
    }

    private FetchResponseData.PartitionData readPartition(
            FetchRequest fetch,
            TopicIdPartition tip,
            FetchRequest.PartitionData request,
            int remaining,
            boolean first) {
        if (tip.topic() == null) {
            return FetchResponse.partitionResponse(tip, Errors.UNKNOWN_TOPIC_ID);
        }
        Optional<Partition> found = partitions.get(tip.topicPartition());
        if (found.isEmpty()) {
            return FetchResponse.partitionResponse(tip, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Partition partition = found.get();
        if (!partition.isLeader()) {
            return FetchResponse.partitionResponse(tip, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        Errors epochError = LeaderLookup.checkEpoch(
                request.currentLeaderEpoch.orElse(LeaderLookup.NO_EPOCH), partition.leaderEpoch());
        if (epochError != Errors.NONE) {
            return FetchResponse.partitionResponse(tip, epochError);
        }
        if (fetch.isFromFollower() && !isReplica(partition, fetch.replicaId())) {
            // Kafka's answer to a follower fetch from a broker outside the replica set: with a leader epoch the
            // pair (replica, epoch) is not recognised yet (the follower retries), without one the sender is told off.
            return FetchResponse.partitionResponse(
                    tip,
                    request.currentLeaderEpoch.isPresent()
                            ? Errors.UNKNOWN_LEADER_EPOCH
                            : Errors.NOT_LEADER_OR_FOLLOWER);
        }
        PartitionLog log = partition.log();
        long highWatermark = log.highWatermark();
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setPartitionIndex(tip.partition())
                .setHighWatermark(highWatermark)
                .setLastStableOffset(highWatermark)
                .setLogStartOffset(log.logStartOffset())
                .setRecords(MemoryRecords.EMPTY);
        if (fetch.isolationLevel() == IsolationLevel.READ_COMMITTED) {
            data.setAbortedTransactions(new ArrayList<>());
        }
        if (fetch.isFromFollower()) {
            Optional<PartitionLog.EpochEndOffset> diverging = diverging(partition, request);
            if (diverging.isPresent()) {
                data.divergingEpoch()
                        .setEpoch(diverging.get().epoch())
                        .setEndOffset(diverging.get().endOffset());
                return data;
            }
        }
        int maxBytes = Math.min(request.maxBytes, remaining);
        try {
            FetchSlice slice = log.read(request.fetchOffset, maxBytes, readLimit(fetch, log), first);
            return data.setRecords(slice.records());
        } catch (ApiException e) {
            return data.setErrorCode(Errors.forException(e).code()).setRecords(MemoryRecords.EMPTY);
        }
    }

    /** Whether {@code replicaId} is an assigned replica of the partition other than this leader. */
    private static boolean isReplica(Partition partition, int replicaId) {
        return partition.state().replicas().contains(replicaId)
                && partition.state().leader() != replicaId;
    }

    private static long readLimit(FetchRequest fetch, PartitionLog log) {
        if (fetch.isFromFollower()) {
            return log.logEndOffset();
        }
        return log.highWatermark();
    }
}
