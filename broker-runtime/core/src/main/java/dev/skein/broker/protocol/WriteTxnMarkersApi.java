package dev.skein.broker.protocol;

import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.ReplicationWaits;
import dev.skein.broker.txn.TransactionMarkerListener;
import dev.skein.broker.txn.coordinator.LocalMarkerWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
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
 * WriteTxnMarkers (from the transaction coordinator, over the network or, from this broker's own coordinator, as a
 * {@link LocalMarkerWriter} call): for each marker and each partition this broker leads, appends the COMMIT or ABORT
 * control batch with the coordinator's epoch; then answers once the high watermark covers them, like an acks=all
 * produce ({@link ReplicationWaits}). A request carries the markers of many transactions: all are appended first, then
 * each partition waits once, for the last marker appended to it (the high watermark is monotonic within a leader
 * epoch), so a request costs one wait per partition, not one per marker, and no marker waits for another's wait.
 *
 * <p>Each partition gets its own error: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * NOT_ENOUGH_REPLICAS(_AFTER_APPEND), INVALID_PRODUCER_EPOCH (a marker older than the producer's epoch),
 * TRANSACTION_COORDINATOR_FENCED (a coordinator epoch older than the last marker's), REQUEST_TIMED_OUT. Once a marker
 * is committed the {@link TransactionMarkerListener} is told, in append order per partition (the group coordinator
 * materializes or drops transactional offset commits). No thread waits.
 */
final class WriteTxnMarkersApi implements ApiHandler, LocalMarkerWriter {
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
        CompletableFuture<WriteTxnMarkersResponse> written = write(((WriteTxnMarkersRequest) request).data());
        CompletableFuture<AbstractResponse> answer = written.thenApply(response -> response);
        answer.whenComplete((r, error) -> {
            if (answer.isCancelled()) { // the coordinator's connection closed: drop the parked waits
                written.cancel(false);
            }
        });
        return answer;
    }

    @Override
    public CompletableFuture<WriteTxnMarkersResponse> write(WriteTxnMarkersRequestData request) {
        Map<Long, Map<TopicPartition, Errors>> errors = new HashMap<>();
        Map<Tail.Key, Tail> tails = new LinkedHashMap<>();
        for (WritableTxnMarker marker : request.markers()) {
            Map<TopicPartition, Errors> byPartition =
                    errors.computeIfAbsent(marker.producerId(), id -> new HashMap<>());
            for (WritableTxnMarkerTopic topic : marker.topics()) {
                for (int index : topic.partitionIndexes()) {
                    TopicPartition tp = new TopicPartition(topic.name(), index);
                    byPartition.put(tp, Errors.REQUEST_TIMED_OUT); // until its wait says otherwise
                    append(marker, tp, byPartition, tails);
                }
            }
        }
        List<CompletableFuture<Void>> waits = new ArrayList<>(tails.size());
        for (Tail tail : tails.values()) {
            waits.add(replication
                    .awaitHighWatermark(tail.partition, tail.key.leaderEpoch(), tail.endOffset, timeoutMs)
                    .thenAccept(tail::settle));
        }
        CompletableFuture<WriteTxnMarkersResponse> answer = CompletableFuture.allOf(
                        waits.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> new WriteTxnMarkersResponse(errors));
        answer.whenComplete((r, error) -> {
            if (answer.isCancelled()) {
                waits.forEach(wait -> wait.cancel(false));
            }
        });
        return answer;
    }

    /** Appends one marker to one partition: its error now if refused, else it joins the partition's wait. */
    private void append(
            WritableTxnMarker marker,
            TopicPartition tp,
            Map<TopicPartition, Errors> byPartition,
            Map<Tail.Key, Tail> tails) {
        LeaderLookup.Result leader = leaders.leader(tp, LeaderLookup.NO_EPOCH);
        if (!leader.ok()) {
            byPartition.put(tp, leader.error());
            return;
        }
        Partition partition = leader.partition();
        Partition.LeaderAppend appended;
        try {
            appended = partition.appendMarker(
                    marker.producerId(), marker.producerEpoch(), marker.coordinatorEpoch(), marker.transactionResult());
        } catch (ApiException e) {
            log.debug("Marker for producer {} in {} refused: {}", marker.producerId(), tp, e.toString());
            byPartition.put(tp, Errors.forException(e));
            return;
        }
        Tail tail = tails.computeIfAbsent(new Tail.Key(tp, appended.leaderEpoch()), key -> new Tail(key, partition));
        tail.add(appended.result().lastOffset() + 1, marker, byPartition);
    }

    /** The markers appended to one partition in one leader epoch by this request, and the end of the last one. */
    private final class Tail {
        record Key(TopicPartition partition, int leaderEpoch) {}

        private record Appended(WritableTxnMarker marker, Map<TopicPartition, Errors> errors) {}

        final Key key;
        final Partition partition;
        final List<Appended> appended = new ArrayList<>(1);
        long endOffset;

        Tail(Key key, Partition partition) {
            this.key = key;
            this.partition = partition;
        }

        void add(long end, WritableTxnMarker marker, Map<TopicPartition, Errors> errors) {
            endOffset = Math.max(endOffset, end);
            appended.add(new Appended(marker, errors));
        }

        /** The wait ended with {@code error} for every marker of this tail: record it, and tell the listener. */
        void settle(Errors error) {
            for (Appended a : appended) {
                synchronized (a.errors()) {
                    a.errors().put(key.partition(), error);
                }
                if (error == Errors.NONE) {
                    notifyCommitted(key.partition(), a.marker());
                }
            }
        }
    }

    private void notifyCommitted(TopicPartition tp, WritableTxnMarker marker) {
        try {
            listener.onMarkerCommitted(tp, marker.producerId(), marker.producerEpoch(), marker.transactionResult());
        } catch (RuntimeException e) {
            // The marker is in the log either way; the listener's own recovery (replay on load) must catch up.
            log.error("Transaction marker listener failed for producer {} in {}", marker.producerId(), tp, e);
        }
    }
}
