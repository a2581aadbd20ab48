package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.Test;

/**
 * Batching of markers per destination broker, with a recording client whose answers the test gives, retries and
 * follow-up sends fired by hand: one request in flight per broker, everything queued meanwhile in the next one (at
 * most one marker per producer), each transaction settled by its own part of a shared answer.
 */
class TransactionMarkerSenderTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);
    private static final TopicPartition B0 = new TopicPartition("b", 0);

    private final RecordingClient client = new RecordingClient();
    private final Deque<Runnable> retries = new ArrayDeque<>();
    private final Deque<Runnable> followUps = new ArrayDeque<>();
    private final List<String> written = new ArrayList<>();
    private final TransactionMarkerSender sender =
            new TransactionMarkerSender(client, tp -> 1, (delayMs, task) -> retries.add(task), 100, followUps::add);

    /** Requests as sent, each answered when the test says. */
    private static final class RecordingClient implements BrokerClient {
        record Sent(int broker, List<WritableTxnMarker> markers, CompletableFuture<AbstractResponse> response) {}

        final List<Sent> sent = new ArrayList<>();

        @Override
        public CompletableFuture<AbstractResponse> send(int brokerId, AbstractRequest.Builder<?> request) {
            WriteTxnMarkersRequest built = ((WriteTxnMarkersRequest.Builder) request).build((short) 1);
            CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
            sent.add(new Sent(brokerId, built.data().markers(), response));
            return response;
        }

        Sent last() {
            return sent.get(sent.size() - 1);
        }

        /** Answers request {@code index}: {@code error} for every partition, unless {@code byProducer} names one. */
        void answer(int index, Errors error, Map<Long, Errors> byProducer) {
            Map<Long, Map<TopicPartition, Errors>> errors = new HashMap<>();
            for (WritableTxnMarker marker : sent.get(index).markers()) {
                Map<TopicPartition, Errors> partitions = new HashMap<>();
                marker.topics().forEach(t -> t.partitionIndexes()
                        .forEach(p -> partitions.put(
                                new TopicPartition(t.name(), p), byProducer.getOrDefault(marker.producerId(), error))));
                errors.put(marker.producerId(), partitions);
            }
            sent.get(index).response().complete(new WriteTxnMarkersResponse(errors));
        }
    }

    private void send(String id, long producerId, TopicPartition... partitions) {
        send(id, producerId, () -> true, partitions);
    }

    private void send(String id, long producerId, java.util.function.BooleanSupplier current, TopicPartition... parts) {
        sender.send(
                new TransactionMarkerSender.Markers(id, producerId, (short) 0, true, 3, Set.of(parts)),
                current,
                () -> written.add(id));
    }

    private static void runAll(Deque<Runnable> tasks) {
        for (int n = tasks.size(); n > 0; n--) {
            tasks.poll().run();
        }
    }

    private static List<Long> producers(RecordingClient.Sent sent) {
        return sent.markers().stream().map(WritableTxnMarker::producerId).toList();
    }

    @Test
    void markersQueuedWhileARequestIsInFlightGoOutTogetherInTheNextOne() {
        send("t1", 1, A0);
        send("t2", 2, A0, A1);
        send("t3", 3, B0);

        assertThat(client.sent).hasSize(1);
        assertThat(producers(client.sent.get(0))).containsExactly(1L);
        assertThat(sender.queued(1)).isEqualTo(2);

        client.answer(0, Errors.NONE, Map.of());
        assertThat(written).containsExactly("t1");
        assertThat(client.sent)
                .as("the next batch goes out on the follow-up executor")
                .hasSize(1);
        runAll(followUps);

        assertThat(client.sent).hasSize(2);
        RecordingClient.Sent batch = client.last();
        assertThat(producers(batch)).containsExactly(2L, 3L);
        assertThat(batch.markers().get(0).topics()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("a");
            assertThat(t.partitionIndexes()).containsExactlyInAnyOrder(0, 1);
        });
        assertThat(batch.markers().get(1).coordinatorEpoch()).isEqualTo(3);
        client.answer(1, Errors.NONE, Map.of());
        assertThat(written).containsExactly("t1", "t2", "t3");
        assertThat(followUps).isEmpty();
        assertThat(retries).isEmpty();
    }

    @Test
    void aProducerHasAtMostOneMarkerPerRequest() {
        send("t1", 7, A0);
        send("t2", 7, A1); // the same producer, e.g. a resend after a reload next to a newer transaction
        send("t3", 8, A0);
        send("t4", 7, B0);

        client.answer(0, Errors.NONE, Map.of());
        runAll(followUps);
        assertThat(producers(client.last())).containsExactly(7L, 8L);
        client.answer(1, Errors.NONE, Map.of());
        runAll(followUps);
        assertThat(producers(client.last())).containsExactly(7L);
        assertThat(client.last().markers().get(0).topics().get(0).name()).isEqualTo("b");
        client.answer(2, Errors.NONE, Map.of());

        assertThat(written).containsExactly("t1", "t2", "t3", "t4");
    }

    @Test
    void eachTransactionOfABatchIsSettledByItsOwnPartOfTheAnswer() {
        send("t1", 1, A0);
        send("t2", 2, A0);
        send("t3", 3, A1);
        send("t4", 4, B0);
        client.answer(0, Errors.NONE, Map.of());
        runAll(followUps);

        client.answer(
                1, Errors.NONE, Map.of(3L, Errors.NOT_LEADER_OR_FOLLOWER, 4L, Errors.TRANSACTION_COORDINATOR_FENCED));

        assertThat(written).containsExactly("t1", "t2");
        assertThat(retries)
                .as("only t3 is retried; t4's coordinator was fenced")
                .hasSize(1);
        runAll(retries);
        assertThat(producers(client.last())).containsExactly(3L);
        client.answer(2, Errors.NONE, Map.of());
        assertThat(written).containsExactly("t1", "t2", "t3");
        assertThat(retries).isEmpty();
    }

    @Test
    void aFailedRequestRetriesEveryTransactionOfItsBatch() {
        send("t1", 1, A0);
        send("t2", 2, A1);
        send("t3", 3, B0);
        client.answer(0, Errors.NONE, Map.of());
        runAll(followUps);

        client.last().response().completeExceptionally(new IOException("connection reset"));

        assertThat(written).containsExactly("t1");
        assertThat(retries).hasSize(2);
        runAll(retries);
        assertThat(producers(client.last())).containsExactly(2L);
        assertThat(sender.queued(1)).isEqualTo(1);
        client.answer(2, Errors.NONE, Map.of());
        runAll(followUps);
        assertThat(producers(client.last())).containsExactly(3L);
        client.answer(3, Errors.NONE, Map.of());
        assertThat(written).containsExactly("t1", "t2", "t3");
    }

    @Test
    void markersOfATransactionNoLongerCoordinatedHereLeaveTheQueueUnsent() {
        AtomicBoolean current = new AtomicBoolean(true);
        send("t1", 1, A0);
        send("t2", 2, current::get, A1);
        send("t3", 3, A0);

        current.set(false); // the coordinator resigned t2's __transaction_state partition
        client.answer(0, Errors.NONE, Map.of());
        runAll(followUps);

        assertThat(producers(client.last())).containsExactly(3L);
        client.answer(1, Errors.NONE, Map.of());
        assertThat(written).containsExactly("t1", "t3");
        assertThat(retries).isEmpty();
        assertThat(sender.queued(1)).isZero();
    }

    @Test
    void eachDestinationHasItsOwnRequestInFlight() {
        TransactionMarkerSender twoBrokers = new TransactionMarkerSender(
                client, tp -> tp.topic().equals("a") ? 1 : 2, (delayMs, task) -> retries.add(task), 100, Runnable::run);
        twoBrokers.send(
                new TransactionMarkerSender.Markers("t1", 1, (short) 0, false, 3, Set.of(A0, B0)),
                () -> true,
                () -> written.add("t1"));
        twoBrokers.send(
                new TransactionMarkerSender.Markers("t2", 2, (short) 0, false, 3, Set.of(B0)),
                () -> true,
                () -> written.add("t2"));

        assertThat(client.sent).extracting(RecordingClient.Sent::broker).containsExactly(1, 2);
        assertThat(twoBrokers.queued(2)).isEqualTo(1);
        client.answer(1, Errors.NONE, Map.of());
        assertThat(written).as("t1 still waits for broker 1").isEmpty();
        assertThat(client.last().broker()).isEqualTo(2);
        assertThat(producers(client.last())).containsExactly(2L);
        client.answer(2, Errors.NONE, Map.of());
        client.answer(0, Errors.NONE, Map.of());
        assertThat(written).containsExactly("t2", "t1");
    }
}
