package dev.skein.broker.txn.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the markers that end a transaction: a WriteTxnMarkers request to the leader of every partition of the
 * transaction (this broker included, through the same client), grouped by leader, retried every
 * {@code retryBackoffMs} for the partitions not yet acknowledged (no leader, leader moved, unreachable, any retriable
 * error) until all are, then the completion runs once. A partition whose topic was deleted needs no marker. Delivery
 * stops without completing when the coordinator is no longer current (it resigned the {@code __transaction_state}
 * partition: the next coordinator resends from the log) or a leader answers TRANSACTION_COORDINATOR_FENCED or
 * INVALID_PRODUCER_EPOCH (a newer coordinator or producer epoch already moved on), as Kafka's marker channel does.
 * Re-delivery is safe: a leader writes a marker for a producer without open transaction as a no-op for readers.
 *
 * <p>Never blocks the caller: requests go through the {@link BrokerClient}, retries through {@link Retries}.
 */
public final class TransactionMarkerSender {
    private static final Logger log = LoggerFactory.getLogger(TransactionMarkerSender.class);

    private final BrokerClient client;
    private final MarkerTarget targets;
    private final Retries retries;
    private final long retryBackoffMs;

    /** The markers of one transaction. */
    public record Markers(
            String transactionalId,
            long producerId,
            short producerEpoch,
            boolean commit,
            int coordinatorEpoch,
            Set<TopicPartition> partitions) {}

    public TransactionMarkerSender(BrokerClient client, MarkerTarget targets, Retries retries, long retryBackoffMs) {
        this.client = client;
        this.targets = targets;
        this.retries = retries;
        this.retryBackoffMs = retryBackoffMs;
    }

    /**
     * Delivers {@code markers}; runs {@code onWritten} once every partition acknowledged, unless delivery stopped
     * first (see the class doc). Returns at once.
     */
    public void send(Markers markers, BooleanSupplier stillCurrent, Runnable onWritten) {
        new Delivery(markers, stillCurrent, onWritten).attempt();
    }

    private final class Delivery {
        private final Markers markers;
        private final BooleanSupplier stillCurrent;
        private final Runnable onWritten;
        private final Set<TopicPartition> remaining = ConcurrentHashMap.newKeySet();
        private volatile boolean stopped;

        Delivery(Markers markers, BooleanSupplier stillCurrent, Runnable onWritten) {
            this.markers = markers;
            this.stillCurrent = stillCurrent;
            this.onWritten = onWritten;
            remaining.addAll(markers.partitions());
        }

        void attempt() {
            if (stopped || !stillCurrent.getAsBoolean()) {
                return;
            }
            Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
            for (TopicPartition tp : remaining) {
                int leader = targets.leaderOf(tp);
                if (leader == MarkerTarget.GONE) {
                    remaining.remove(tp);
                } else if (leader >= 0) {
                    byLeader.computeIfAbsent(leader, l -> new ArrayList<>()).add(tp);
                }
            }
            if (remaining.isEmpty()) {
                onWritten.run();
                return;
            }
            if (byLeader.isEmpty()) {
                retryLater();
                return;
            }
            AtomicInteger outstanding = new AtomicInteger(byLeader.size());
            byLeader.forEach((leader, partitions) -> client.send(leader, request(partitions))
                    .whenComplete((response, failure) -> {
                        try {
                            if (failure == null) {
                                acknowledge(response);
                            } else {
                                log.debug(
                                        "Markers of {} to broker {}: {}",
                                        markers.transactionalId(),
                                        leader,
                                        failure.toString());
                            }
                        } finally {
                            if (outstanding.decrementAndGet() == 0) {
                                roundDone();
                            }
                        }
                    }));
        }

        private void acknowledge(AbstractResponse response) {
            if (!(response instanceof WriteTxnMarkersResponse markersResponse)) {
                return;
            }
            Map<TopicPartition, Errors> errors =
                    markersResponse.errorsByProducerId().getOrDefault(markers.producerId(), Map.of());
            errors.forEach((tp, error) -> {
                if (error == Errors.NONE) {
                    remaining.remove(tp);
                } else if (error == Errors.TRANSACTION_COORDINATOR_FENCED || error == Errors.INVALID_PRODUCER_EPOCH) {
                    log.info(
                            "Stopped writing the markers of {} (producer {} epoch {}): {} answered {}",
                            markers.transactionalId(),
                            markers.producerId(),
                            markers.producerEpoch(),
                            tp,
                            error);
                    stopped = true;
                }
            });
        }

        private void roundDone() {
            if (stopped || !stillCurrent.getAsBoolean()) {
                return;
            }
            if (remaining.isEmpty()) {
                onWritten.run();
            } else {
                retryLater();
            }
        }

        private void retryLater() {
            retries.after(retryBackoffMs, this::attempt);
        }

        private WriteTxnMarkersRequest.Builder request(List<TopicPartition> partitions) {
            Map<String, WritableTxnMarkerTopic> topics = new HashMap<>();
            for (TopicPartition tp : partitions) {
                topics.computeIfAbsent(tp.topic(), t -> new WritableTxnMarkerTopic().setName(t))
                        .partitionIndexes()
                        .add(tp.partition());
            }
            WritableTxnMarker marker = new WritableTxnMarker()
                    .setProducerId(markers.producerId())
                    .setProducerEpoch(markers.producerEpoch())
                    .setTransactionResult(markers.commit())
                    .setCoordinatorEpoch(markers.coordinatorEpoch())
                    .setTopics(new ArrayList<>(topics.values()));
            return new WriteTxnMarkersRequest.Builder(
                    new WriteTxnMarkersRequestData().setMarkers(new ArrayList<>(List.of(marker))));
        }
    }
}
