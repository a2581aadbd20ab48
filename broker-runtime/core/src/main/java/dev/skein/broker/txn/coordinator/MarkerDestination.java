package dev.skein.broker.txn.coordinator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
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
 * The markers waiting for one destination broker, and its one WriteTxnMarkers request in flight. {@link #flush} sends
 * everything queued (up to {@link #MAX_MARKERS_PER_REQUEST} markers, at most one per producer id: the response is keyed
 * by producer id) when no request is in flight; the answer of a request hands each transaction its partitions' errors
 * and has {@code followUps} send the next batch. Queued markers of a transaction that is no longer {@link
 * TransactionMarkerSender.Delivery#active active} are dropped when their batch is built.
 *
 * <p>Thread-safe; the lock covers only the queue and the in-flight flag, never a send or a callback.
 */
final class MarkerDestination {
    private static final Logger log = LoggerFactory.getLogger(MarkerDestination.class);

    /** Bounds one request's size (a marker entry is tens of bytes plus its partitions). */
    static final int MAX_MARKERS_PER_REQUEST = 1000;

    /** One transaction's markers for this destination in the current round. */
    record Pending(TransactionMarkerSender.Delivery delivery, List<TopicPartition> partitions) {}

    private final int brokerId;
    private final BrokerClient client;
    private final Executor followUps;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean inFlight;

    MarkerDestination(int brokerId, BrokerClient client, Executor followUps) {
        this.brokerId = brokerId;
        this.client = client;
        this.followUps = followUps;
    }

    synchronized void enqueue(Pending pending) {
        queue.add(pending);
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Sends the queued markers in one request, unless one is in flight (its answer sends them). */
    void flush() {
        List<Pending> batch = new ArrayList<>();
        List<Pending> dropped = new ArrayList<>();
        synchronized (this) {
            if (inFlight) {
                return;
            }
            takeBatch(batch, dropped);
            inFlight = !batch.isEmpty();
        }
        // An inactive delivery's round still has to end, so that nothing waits for this destination's answer.
        dropped.forEach(p -> p.delivery().answered(brokerId, null));
        if (batch.isEmpty()) {
            return;
        }
        CompletableFuture<AbstractResponse> response;
        try {
            response = client.send(brokerId, request(batch));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((answer, failure) -> answered(batch, answer, failure));
    }

    /** Moves the next request's markers from the queue to {@code batch}, inactive ones to {@code dropped}. */
    private void takeBatch(List<Pending> batch, List<Pending> dropped) {
        Set<Long> producers = new HashSet<>();
        Iterator<Pending> it = queue.iterator();
        while (it.hasNext() && batch.size() < MAX_MARKERS_PER_REQUEST) {
            Pending pending = it.next();
            if (!pending.delivery().active()) {
                it.remove();
                dropped.add(pending);
            } else if (producers.add(pending.delivery().markers.producerId())) {
                it.remove();
                batch.add(pending);
            } // else: a second marker of the same producer waits for the next request
        }
    }

    private void answered(List<Pending> batch, AbstractResponse answer, Throwable failure) {
        boolean more;
        synchronized (this) {
            inFlight = false;
            more = !queue.isEmpty();
        }
        Map<Long, Map<TopicPartition, Errors>> errors = null;
        if (answer instanceof WriteTxnMarkersResponse markers) {
            errors = markers.errorsByProducerId();
        } else {
            log.debug(
                    "WriteTxnMarkers with {} markers to broker {} failed: {}",
                    batch.size(),
                    brokerId,
                    failure != null ? failure.toString() : "unexpected response " + answer);
        }
        for (Pending pending : batch) {
            Map<TopicPartition, Errors> own = errors == null
                    ? null
                    : errors.getOrDefault(pending.delivery().markers.producerId(), Map.of());
            try {
                pending.delivery().answered(brokerId, own);
            } catch (RuntimeException e) {
                log.error(
                        "Handling the marker answer of {} failed",
                        pending.delivery().markers.transactionalId(),
                        e);
            }
        }
        if (more) {
            try {
                followUps.execute(this::flush);
            } catch (RejectedExecutionException e) {
                // shutting down: the next coordinator of these transactions resends their markers from the log
            }
        }
    }

    private static WriteTxnMarkersRequest.Builder request(List<Pending> batch) {
        List<WritableTxnMarker> markers = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            TransactionMarkerSender.Markers m = pending.delivery().markers;
            Map<String, WritableTxnMarkerTopic> topics = new LinkedHashMap<>();
            for (TopicPartition tp : pending.partitions()) {
                topics.computeIfAbsent(tp.topic(), t -> new WritableTxnMarkerTopic().setName(t))
                        .partitionIndexes()
                        .add(tp.partition());
            }
            markers.add(new WritableTxnMarker()
                    .setProducerId(m.producerId())
                    .setProducerEpoch(m.producerEpoch())
                    .setTransactionResult(m.commit())
                    .setCoordinatorEpoch(m.coordinatorEpoch())
                    .setTopics(new ArrayList<>(topics.values())));
        }
        return new WriteTxnMarkersRequest.Builder(new WriteTxnMarkersRequestData().setMarkers(markers));
    }
}
