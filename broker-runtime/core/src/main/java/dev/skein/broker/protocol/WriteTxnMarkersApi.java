package dev.skein.broker.protocol;

import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.ReplicationWaits;
import dev.skein.broker.txn.TransactionMarkerListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WriteTxnMarkers (from the transaction coordinator): for each marker and each partition this broker leads, appends
 * the COMMIT or ABORT control batch with the coordinator's epoch, then answers once the high watermark covers it,
 * like an acks=all produce ({@link ReplicationWaits}). Each partition gets its own error: UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), INVALID_PRODUCER_EPOCH (a marker older than the
 * producer's epoch), TRANSACTION_COORDINATOR_FENCED (a coordinator epoch older than the last marker's),
 * REQUEST_TIMED_OUT. Once a marker is committed the {@link TransactionMarkerListener} is told (the group coordinator
 * materializes or drops transactional offset commits). No thread waits.
 */
final class WriteTxnMarkersApi implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(WriteTxnMarkersApi.class);

    private final LeaderLookup leaders;
    private final ReplicationWaits replication;
    private final TransactionMarkerListener listener;
    private final long timeoutMs;

    /** @param timeoutMs how long a marker waits for the in-sync replicas (Kafka: {@code request.timeout.ms}) */
    WriteTxnMarkersApi(
            LeaderLookup leaders, ReplicationWaits replication, TransactionMarkerListener listener, long timeoutMs) {
        this.leaders = leaders;
        this.replication = replication;
        this.listener = listener;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        WriteTxnMarkersRequest markers = (WriteTxnMarkersRequest) request;
        Map<Long, Map<TopicPartition, Errors>> errors = new HashMap<>();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (WritableTxnMarker marker : markers.data().markers()) {
            Map<TopicPartition, Errors> byPartition =
                    errors.computeIfAbsent(marker.producerId(), id -> new HashMap<>());
            for (WritableTxnMarkerTopic topic : marker.topics()) {
                for (int index : topic.partitionIndexes()) {
                    TopicPartition tp = new TopicPartition(topic.name(), index);
                    byPartition.put(tp, Errors.REQUEST_TIMED_OUT);
                    waits.add(write(marker, tp).thenAccept(error -> {
                        synchronized (byPartition) {
                            byPartition.put(tp, error);
                        }
                    }));
                }
            }
        }
        CompletableFuture<AbstractResponse> answer = CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new WriteTxnMarkersResponse(errors));
        answer.whenComplete((r, error) -> {
            if (answer.isCancelled()) {
                waits.forEach(wait -> wait.cancel(false));
            }
        });
        return answer;
    }

    /** Appends one marker to one partition; completes with that partition's error once replicated (or refused). */
    private CompletableFuture<Errors> write(WritableTxnMarker marker, TopicPartition tp) {
        LeaderLookup.Result leader = leaders.leader(tp, LeaderLookup.NO_EPOCH);
        if (!leader.ok()) {
            return CompletableFuture.completedFuture(leader.error());
        }
        Partition partition = leader.partition();
        boolean commit = marker.transactionResult();
        Partition.LeaderAppend appended;
        try {
            appended = partition.appendMarker(
                    marker.producerId(), marker.producerEpoch(), marker.coordinatorEpoch(), commit);
        } catch (ApiException e) {
            log.debug("Marker for producer {} in {} refused: {}", marker.producerId(), tp, e.toString());
            return CompletableFuture.completedFuture(Errors.forException(e));
        }
        long end = appended.result().lastOffset() + 1;
        return replication
                .awaitHighWatermark(partition, appended.leaderEpoch(), end, timeoutMs)
                .thenApply(error -> {
                    if (error == Errors.NONE) {
                        notifyCommitted(tp, marker, commit);
                    }
                    return error;
                });
    }

    private void notifyCommitted(TopicPartition tp, WritableTxnMarker marker, boolean commit) {
        try {
            listener.onMarkerCommitted(tp, marker.producerId(), marker.producerEpoch(), commit);
        } catch (RuntimeException e) {
            // The marker is in the log either way; the listener's own recovery (replay on load) must catch up.
            log.error("Transaction marker listener failed for producer {} in {}", marker.producerId(), tp, e);
        }
    }
}
