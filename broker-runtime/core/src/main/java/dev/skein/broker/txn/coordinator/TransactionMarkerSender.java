package dev.skein.broker.txn.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the markers that end a transaction: WriteTxnMarkers to the leader of every partition of the transaction,
 * retried every {@code retryBackoffMs} for the partitions not yet acknowledged (no leader, leader moved, unreachable,
 * any retriable error) until all are, then the completion runs once. A partition whose topic was deleted needs no
 * marker. Delivery stops without completing when the coordinator is no longer current (it resigned the
 * {@code __transaction_state} partition: the next coordinator resends from the log) or a leader answers
 * TRANSACTION_COORDINATOR_FENCED or INVALID_PRODUCER_EPOCH (a newer coordinator or producer epoch already moved on),
 * as Kafka's marker channel does. Re-delivery is safe: a leader writes a marker for a producer without open transaction
 * as a no-op for readers.
 *
 * <p>Batching, as Kafka's marker channel: each destination broker has a {@link MarkerDestination} queue with at most
 * one request in flight. The markers of every transaction waiting for that broker go out together in the next
 * WriteTxnMarkers request (one marker entry per transaction, at most one per producer id per request), sent on
 * {@code followUps} as soon as the previous one is answered. Whether a request goes over the network or, for this
 * broker's own partitions, through a direct call ({@link LocalFirstBrokerClient}) is the {@link BrokerClient}'s
 * business.
 *
 * <p>Threads: {@link #send} and the retries send on the calling thread, which only waits for what the client does
 * inline (a local client appends this broker's markers there; see {@link LocalMarkerWriter} for the locks a caller may
 * hold). Requests queued behind one in flight are sent on {@code followUps}, never on the thread that delivered the
 * answer (a network client's, or one completing a replication wait). The completion runs on the thread that
 * delivered the last acknowledgement (or the caller's, when no partition needs a marker or the local markers were
 * replicated at once).
 */
public final class TransactionMarkerSender {
    private static final Logger log = LoggerFactory.getLogger(TransactionMarkerSender.class);

    private final BrokerClient client;
    private final MarkerTarget targets;
    private final Retries retries;
    private final long retryBackoffMs;
    private final Executor followUps;
    private final Map<Integer, MarkerDestination> destinations = new ConcurrentHashMap<>();

    /** The markers of one transaction. */
    public record Markers(
            String transactionalId,
            long producerId,
            short producerEpoch,
            boolean commit,
            int coordinatorEpoch,
            Set<TopicPartition> partitions) {}

    /** A sender whose queued requests go out on the thread that delivered the previous answer (tests). */
    public TransactionMarkerSender(BrokerClient client, MarkerTarget targets, Retries retries, long retryBackoffMs) {
        this(client, targets, retries, retryBackoffMs, Runnable::run);
    }

    /** @param followUps sends the requests that queued while their destination's previous one was in flight */
    public TransactionMarkerSender(
            BrokerClient client, MarkerTarget targets, Retries retries, long retryBackoffMs, Executor followUps) {
        this.client = client;
        this.targets = targets;
        this.retries = retries;
        this.retryBackoffMs = retryBackoffMs;
        this.followUps = followUps;
    }

    /**
     * Delivers {@code markers}; runs {@code onWritten} once every partition acknowledged, unless delivery stopped
     * first (see the class doc). Returns at once.
     *
     * @param stillCurrent whether this coordinator still owns the transaction; checked before every (re)send
     */
    public void send(Markers markers, BooleanSupplier stillCurrent, Runnable onWritten) {
        new Delivery(markers, stillCurrent, onWritten).attempt();
    }

    /** Markers queued for {@code brokerId} and not yet in a request (for tests and diagnostics). */
    int queued(int brokerId) {
        MarkerDestination destination = destinations.get(brokerId);
        return destination == null ? 0 : destination.queued();
    }

    private MarkerDestination destination(int brokerId) {
        return destinations.computeIfAbsent(brokerId, id -> new MarkerDestination(id, client, followUps));
    }

    /** One transaction's markers on their way: the partitions not yet acknowledged, and the current round. */
    final class Delivery {
        final Markers markers;
        private final BooleanSupplier stillCurrent;
        private final Runnable onWritten;
        private final Set<TopicPartition> remaining = ConcurrentHashMap.newKeySet();
        /** Destinations of the current round that have not answered yet. */
        private final AtomicInteger outstanding = new AtomicInteger();

        private volatile boolean stopped;

        Delivery(Markers markers, BooleanSupplier stillCurrent, Runnable onWritten) {
            this.markers = markers;
            this.stillCurrent = stillCurrent;
            this.onWritten = onWritten;
            remaining.addAll(markers.partitions());
        }

        /** Whether the markers are still to be delivered: not stopped, and the coordinator is still current. */
        boolean active() {
            return !stopped && stillCurrent.getAsBoolean();
        }

        /** One round: queues the unacknowledged partitions at their current leaders. */
        void attempt() {
            if (!active()) {
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
            outstanding.set(byLeader.size());
            List<MarkerDestination> queuedAt = new ArrayList<>(byLeader.size());
            byLeader.forEach((leader, partitions) -> {
                MarkerDestination destination = destination(leader);
                destination.enqueue(new MarkerDestination.Pending(this, partitions));
                queuedAt.add(destination);
            });
            queuedAt.forEach(MarkerDestination::flush);
        }

        /**
         * A destination answered this round's partitions it was sent: {@code errors} per partition, or null when the
         * request failed or was never sent (all of them stay unacknowledged).
         */
        void answered(int brokerId, Map<TopicPartition, Errors> errors) {
            if (errors != null) {
                errors.forEach((tp, error) -> {
                    if (error == Errors.NONE) {
                        remaining.remove(tp);
                    } else if (error == Errors.TRANSACTION_COORDINATOR_FENCED
                            || error == Errors.INVALID_PRODUCER_EPOCH) {
                        log.info(
                                "Stopped writing the markers of {} (producer {} epoch {}): {} on broker {} answered {}",
                                markers.transactionalId(),
                                markers.producerId(),
                                markers.producerEpoch(),
                                tp,
                                brokerId,
                                error);
                        stopped = true;
                    }
                });
            }
            if (outstanding.decrementAndGet() == 0) {
                roundDone();
            }
        }

        private void roundDone() {
            if (!active()) {
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
    }
}
