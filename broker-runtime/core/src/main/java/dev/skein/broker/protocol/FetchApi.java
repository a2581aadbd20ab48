package dev.skein.broker.protocol;

import dev.skein.broker.log.LogPosition;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
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
 * or {@code max.wait.ms} passes — no thread waits. Whether enough is there is decided without reading records (offsets,
 * and byte estimates from log positions), so each partition is read once per request, when it is answered. The wait is capped at {@code skein.fetch.max.wait.ms}, and a parked
 * fetch is dropped when its connection closes (the dispatcher cancels the returned future). Fetch sessions (KIP-227) are not kept: every response carries
 * session id 0, so clients send full fetch requests, which is what Kafka does with the session cache disabled.
 *
 * <p>A follower fetch ({@code replica_id} >= 0) is served up to the log end and moves the high watermark only for an
 * assigned replica of the partition; any other replica id gets UNKNOWN_LEADER_EPOCH (request with a leader epoch) or
 * NOT_LEADER_OR_FOLLOWER (without), as Kafka's {@code Partition} answers, and consumers (-1) are served as usual.
 */
final class FetchApi implements ApiHandler {
    private final Supplier<Map<Uuid, String>> topicNames;
    private final PartitionRegistry partitions;
    private final Purgatory purgatory;
    private final BrokerMetrics metrics;
    private final int maxWaitMs;
    /** Partition reads made (each {@link PartitionLog#read}): what the purgatory's cheap checks must not add to. */
    private final LongAdder logReads = new LongAdder();

    /**
     * @param topicNames topic id to name for every known topic (the metadata cache's live view)
     * @param maxWaitMs longest a fetch is parked ({@code skein.fetch.max.wait.ms}); a client's MaxWaitMs is capped
     */
    FetchApi(
            Supplier<Map<Uuid, String>> topicNames,
            PartitionRegistry partitions,
            Purgatory purgatory,
            BrokerMetrics metrics,
            int maxWaitMs) {
        this.topicNames = topicNames;
        this.partitions = partitions;
        this.purgatory = purgatory;
        this.metrics = metrics;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        FetchRequest fetch = (FetchRequest) request;
        Map<TopicIdPartition, FetchRequest.PartitionData> wanted = fetch.fetchData(topicNames.get());
        if (fetch.isFromFollower()) {
            recordFollowerPositions(fetch.replicaId(), wanted);
        }
        CompletableFuture<AbstractResponse> result = new CompletableFuture<>();
        long waitMs = Math.min(fetch.maxWait(), maxWaitMs);
        // Positions of the fetch offsets, found once for the byte estimates of min.bytes > 1 (see isSatisfied).
        Map<TopicIdPartition, LogPosition> starts = fetch.minBytes() > 1 ? new ConcurrentHashMap<>() : Map.of();
        if (waitMs <= 0 || isSatisfied(fetch, wanted, starts)) {
            result.complete(respond(read(fetch, wanted)));
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
                return FetchApi.this.isSatisfied(fetch, wanted, starts);
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

    /** Number of partition reads so far (for tests: a fetch reads each partition once, its wait check none). */
    long logReads() {
        return logReads.sum();
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

    /**
     * Whether the fetch can be answered now: a partition would answer with an error (or a diverging epoch), or at
     * least {@code min.bytes} are readable. Cheap, as the purgatory requires: it compares offsets, and for
     * {@code min.bytes} > 1 estimates the bytes from log positions ({@link PartitionLog#bytesAvailable}, capped per
     * partition at its max bytes, as Kafka's {@code DelayedFetch}); it never reads records. {@code starts} caches the
     * position of each fetch offset between calls.
     */
    private boolean isSatisfied(
            FetchRequest fetch,
            Map<TopicIdPartition, FetchRequest.PartitionData> wanted,
            Map<TopicIdPartition, LogPosition> starts) {
        if (wanted.isEmpty() || fetch.minBytes() <= 0) {
            return true;
        }
        long bytes = 0;
        for (Map.Entry<TopicIdPartition, FetchRequest.PartitionData> e : wanted.entrySet()) {
            long available = available(fetch, e.getKey(), e.getValue(), starts);
            if (available == Long.MAX_VALUE) {
                return true;
            }
            bytes += available;
            if (bytes >= fetch.minBytes()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Estimated bytes one partition would return, or {@link Long#MAX_VALUE} when it would answer with an error or a
     * diverging epoch, or (for {@code min.bytes} <= 1) with any data at all.
     */
    private long available(
            FetchRequest fetch,
            TopicIdPartition tip,
            FetchRequest.PartitionData request,
            Map<TopicIdPartition, LogPosition> starts) {
        Partition partition = tip.topic() == null
                ? null
                : partitions.get(tip.topicPartition()).orElse(null);
        if (partition == null
                || !partition.isLeader()
                || LeaderLookup.checkEpoch(
                                request.currentLeaderEpoch.orElse(LeaderLookup.NO_EPOCH), partition.leaderEpoch())
                        != Errors.NONE
                || (fetch.isFromFollower()
                        && (!isReplica(partition, fetch.replicaId())
                                || diverging(partition, request).isPresent()))) {
            return Long.MAX_VALUE;
        }
        PartitionLog log = partition.log();
        long limit = readLimit(fetch, log, log.highWatermark(), log.lastStableOffset());
        if (log.isOffline() || request.fetchOffset < log.logStartOffset() || request.fetchOffset > log.logEndOffset()) {
            return Long.MAX_VALUE;
        }
        if (limit <= request.fetchOffset) {
            return 0;
        }
        if (fetch.minBytes() <= 1) {
            return Long.MAX_VALUE;
        }
        LogPosition start = starts.get(tip);
        if (start == null) {
            Optional<LogPosition> found = log.positionOf(request.fetchOffset);
            if (found.isEmpty()) {
                return Long.MAX_VALUE;
            }
            start = found.get();
            starts.put(tip, start);
        }
        return Math.min(log.bytesAvailable(start, limit), Math.max(request.maxBytes, 0));
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
        long lastStable = log.lastStableOffset();
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setPartitionIndex(tip.partition())
                .setHighWatermark(highWatermark)
                .setLastStableOffset(lastStable)
                .setLogStartOffset(log.logStartOffset())
                .setRecords(MemoryRecords.EMPTY);
        boolean readCommitted = !fetch.isFromFollower() && fetch.isolationLevel() == IsolationLevel.READ_COMMITTED;
        if (readCommitted) {
            data.setAbortedTransactions(List.of());
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
        logReads.increment();
        try {
            long limit = readLimit(fetch, log, highWatermark, lastStable);
            FetchSlice slice = log.read(request.fetchOffset, maxBytes, limit, first);
            if (readCommitted && slice.records().sizeInBytes() > 0) {
                // Only the aborted transactions with records in the returned batches: the answer (and the memory it
                // takes) is bounded by the slice, however many transactions were aborted further on.
                data.setAbortedTransactions(log.abortedTransactions(request.fetchOffset, slice.endOffset()));
            }
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

    /**
     * Where a fetch stops reading: followers at the log end, read_committed consumers at {@code lastStable}, others at
     * {@code highWatermark} (both as read once by the caller, so that the answer's limits match what it reports).
     */
    private static long readLimit(FetchRequest fetch, PartitionLog log, long highWatermark, long lastStable) {
        if (fetch.isFromFollower()) {
            return log.logEndOffset();
        }
        return fetch.isolationLevel() == IsolationLevel.READ_COMMITTED ? lastStable : highWatermark;
    }
}
