package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.txn.coordinator.TransactionCoordinator.InitResult;
import dev.skein.testkit.time.ManualTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's state machine end to end with a manual clock, an in-memory {@code __transaction_state}, a
 * recording marker channel whose answers the test decides, and retries fired by hand: no sockets, no sleeps.
 */
class TransactionCoordinatorTest {
    private static final int TIMEOUT_MS = 10_000;
    private static final TopicPartition P0 = new TopicPartition("data", 0);
    private static final TopicPartition P1 = new TopicPartition("data", 1);

    private final ManualTime time = new ManualTime();
    private final MemoryLog stateLog = new MemoryLog();
    private final MarkerChannel channel = new MarkerChannel();
    private final Deque<Runnable> retries = new ArrayDeque<>();
    private final AtomicLong nextProducerId = new AtomicLong(1000);
    private TransactionCoordinator coordinator = newCoordinator();

    private TransactionCoordinator newCoordinator() {
        TransactionConfig config = new TransactionConfig(1, (short) 1, 1, 1 << 20, 60_000, 100_000, 1000, 1000);
        TransactionShards shards = new TransactionShards(() -> 1);
        Retries manual = (delayMs, task) -> retries.add(task);
        TransactionMarkerSender sender =
                new TransactionMarkerSender(channel, tp -> tp.partition() == 1 ? 2 : 1, manual, 100);
        TransactionWriter writer = new TransactionWriter(shards, stateLog, sender, manual, 100, time);
        TransactionCoordinator created = new TransactionCoordinator(
                config,
                shards,
                stateLog,
                writer,
                () -> CompletableFuture.completedFuture(nextProducerId.getAndIncrement()),
                Runnable::run,
                time);
        created.onBecomeLeader(0);
        return created;
    }

    /** __transaction_state in memory; appends commit at once. */
    static final class MemoryLog implements StateLog {
        final List<SimpleRecord> records = new ArrayList<>();
        int leaderEpoch = 7;
        /** When set, appends are committed only when the test completes it. */
        CompletableFuture<Void> held;

        @Override
        public CompletableFuture<Void> append(int partition, List<SimpleRecord> batch) {
            records.addAll(batch);
            return held != null ? held : CompletableFuture.completedFuture(null);
        }

        @Override
        public void replay(int partition, Consumer<Record> sink) {
            if (!records.isEmpty()) {
                MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new))
                        .records()
                        .forEach(sink);
            }
        }

        @Override
        public int leaderEpoch(int partition) {
            return leaderEpoch;
        }

        /** The last state written for {@code id}. */
        TransactionEntry last(String id) {
            TransactionEntry[] found = new TransactionEntry[1];
            replay(0, r -> {
                TransactionRecords.Decoded d = TransactionRecords.decode(r);
                if (d.transactionalId().equals(id)) {
                    found[0] = d.entry();
                }
            });
            return found[0];
        }
    }

    /** Records WriteTxnMarkers requests by broker; each waits until the test answers it. */
    static final class MarkerChannel implements BrokerClient {
        record Sent(int broker, WritableTxnMarker marker, CompletableFuture<AbstractResponse> response) {}

        final List<Sent> sent = new ArrayList<>();

        @Override
        public CompletableFuture<AbstractResponse> send(int brokerId, AbstractRequest.Builder<?> request) {
            WriteTxnMarkersRequest built = ((WriteTxnMarkersRequest.Builder) request).build((short) 1);
            CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
            sent.add(new Sent(brokerId, built.data().markers().get(0), response));
            return response;
        }

        /** Answers every unanswered request with {@code error} for each of its partitions. */
        void answerAll(Errors error) {
            for (Sent s : List.copyOf(sent)) {
                if (s.response().isDone()) {
                    continue;
                }
                Map<TopicPartition, Errors> errors = new HashMap<>();
                s.marker().topics().forEach(t -> t.partitionIndexes()
                        .forEach(p -> errors.put(new TopicPartition(t.name(), p), error)));
                s.response()
                        .complete(new WriteTxnMarkersResponse(Map.of(s.marker().producerId(), errors)));
            }
        }

        long unanswered() {
            return sent.stream().filter(s -> !s.response().isDone()).count();
        }
    }

    private void fireRetries() {
        int n = retries.size();
        for (int i = 0; i < n; i++) {
            retries.poll().run();
        }
    }

    private InitResult init(String id) {
        return coordinator.initProducerId(id, TIMEOUT_MS, -1, (short) -1).join();
    }

    private InitResult ongoing(String id, TopicPartition... partitions) {
        InitResult init = init(id);
        assertThat(coordinator
                        .addPartitions(id, init.producerId(), init.producerEpoch(), Set.of(partitions))
                        .join())
                .isEqualTo(Errors.NONE);
        return init;
    }

    @Test
    void commitWritesPrepareThenMarkersToEachLeaderThenComplete() {
        InitResult init = ongoing("t", P0, P1);

        assertThat(coordinator
                        .endTransaction("t", init.producerId(), init.producerEpoch(), true)
                        .join())
                .isEqualTo(Errors.NONE);
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(channel.sent).extracting(s -> s.broker()).containsExactlyInAnyOrder(1, 2);
        WritableTxnMarker marker = channel.sent.get(0).marker();
        assertThat(marker.producerId()).isEqualTo(init.producerId());
        assertThat(marker.producerEpoch()).isEqualTo(init.producerEpoch());
        assertThat(marker.transactionResult()).isTrue();
        assertThat(marker.coordinatorEpoch()).isEqualTo(7);
        // The client may not start the next transaction while the markers are in flight.
        assertThat(coordinator
                        .addPartitions("t", init.producerId(), init.producerEpoch(), Set.of(P0))
                        .join())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        channel.answerAll(Errors.NONE);
        fireRetries();

        TransactionEntry done = stateLog.last("t");
        assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(done.partitions()).isEmpty();
        assertThat(coordinator
                        .endTransaction("t", init.producerId(), init.producerEpoch(), true)
                        .join())
                .as("a retried commit")
                .isEqualTo(Errors.NONE);
        assertThat(coordinator
                        .endTransaction("t", init.producerId(), init.producerEpoch(), false)
                        .join())
                .isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void markersAreRetriedOnlyForPartitionsNotYetAcknowledged() {
        InitResult init = ongoing("t", P0, P1);
        coordinator
                .endTransaction("t", init.producerId(), init.producerEpoch(), false)
                .join();
        MarkerChannel.Sent toBroker1 =
                channel.sent.stream().filter(s -> s.broker() == 1).findFirst().orElseThrow();
        MarkerChannel.Sent toBroker2 =
                channel.sent.stream().filter(s -> s.broker() == 2).findFirst().orElseThrow();
        toBroker1.response().completeExceptionally(new java.io.IOException("connection refused"));
        toBroker2.response().complete(new WriteTxnMarkersResponse(Map.of(init.producerId(), Map.of(P1, Errors.NONE))));
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.PREPARE_ABORT);

        fireRetries();

        assertThat(channel.sent).hasSize(3);
        assertThat(channel.sent.get(2).broker()).isEqualTo(1);
        channel.answerAll(Errors.NOT_LEADER_OR_FOLLOWER);
        fireRetries();
        channel.answerAll(Errors.NONE);
        fireRetries();
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.COMPLETE_ABORT);
    }

    @Test
    void restartedCoordinatorResendsMarkersAndCompletesAPrepareCommit() {
        InitResult init = ongoing("t", P0);
        coordinator
                .endTransaction("t", init.producerId(), init.producerEpoch(), true)
                .join();
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        channel.sent.clear(); // the first coordinator dies before any leader answers

        stateLog.leaderEpoch = 8;
        coordinator = newCoordinator(); // a new coordinator loads the same log

        assertThat(channel.sent).hasSize(1);
        assertThat(channel.sent.get(0).marker().coordinatorEpoch()).isEqualTo(8);
        assertThat(channel.sent.get(0).marker().transactionResult()).isTrue();
        assertThat(coordinator
                        .initProducerId("t", TIMEOUT_MS, -1, (short) -1)
                        .join()
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        channel.answerAll(Errors.NONE);
        fireRetries();
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        InitResult next = init("t");
        assertThat(next.producerId()).isEqualTo(init.producerId());
        assertThat(next.producerEpoch()).isEqualTo((short) (init.producerEpoch() + 1));
    }

    @Test
    void newInstanceAbortsTheOngoingTransactionAtABumpedEpochBeforeItGetsOne() {
        InitResult first = ongoing("t", P0);

        InitResult retry = init("t");

        assertThat(retry.error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        TransactionEntry aborting = stateLog.last("t");
        assertThat(aborting.state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(aborting.producerEpoch()).isEqualTo((short) (first.producerEpoch() + 1));
        assertThat(channel.sent.get(0).marker().transactionResult()).isFalse();
        assertThat(channel.sent.get(0).marker().producerEpoch()).isEqualTo(aborting.producerEpoch());
        assertThat(coordinator
                        .endTransaction("t", first.producerId(), first.producerEpoch(), true)
                        .join())
                .as("the zombie's commit")
                .isEqualTo(Errors.PRODUCER_FENCED);

        channel.answerAll(Errors.NONE);
        fireRetries();
        InitResult second = init("t");
        assertThat(second.error()).isEqualTo(Errors.NONE);
        assertThat(second.producerEpoch()).isEqualTo((short) (first.producerEpoch() + 2));
    }

    @Test
    void transactionPastItsTimeoutIsAbortedAndItsProducerFenced() {
        InitResult init = ongoing("t", P0);
        time.sleep(TIMEOUT_MS);
        assertThat(coordinator.abortTimedOutTransactions()).isZero();

        time.sleep(1);
        assertThat(coordinator.abortTimedOutTransactions()).isEqualTo(1);

        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.PREPARE_ABORT);
        assertThat(coordinator
                        .addPartitions("t", init.producerId(), init.producerEpoch(), Set.of(P1))
                        .join())
                .isEqualTo(Errors.PRODUCER_FENCED);
        channel.answerAll(Errors.NONE);
        fireRetries();
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.COMPLETE_ABORT);
    }

    @Test
    void fencedCoordinatorStopsSendingAndLeavesTheTransactionPrepared() {
        InitResult init = ongoing("t", P0);
        coordinator
                .endTransaction("t", init.producerId(), init.producerEpoch(), true)
                .join();

        channel.answerAll(Errors.TRANSACTION_COORDINATOR_FENCED);

        assertThat(retries).isEmpty();
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.PREPARE_COMMIT);
    }

    @Test
    void resignedCoordinatorStopsRetryingMarkers() {
        InitResult init = ongoing("t", P0);
        coordinator
                .endTransaction("t", init.producerId(), init.producerEpoch(), true)
                .join();
        channel.answerAll(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(retries).hasSize(1);

        coordinator.onResign(0);
        fireRetries();

        assertThat(channel.unanswered()).isZero();
        assertThat(channel.sent).hasSize(1);
        assertThat(coordinator
                        .initProducerId("t", TIMEOUT_MS, -1, (short) -1)
                        .join()
                        .error())
                .isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void idleTransactionalIdExpiresWithATombstone() {
        InitResult init = init("t");
        time.sleep(100_000);

        assertThat(coordinator.expireTransactionalIds()).isEqualTo(1);

        assertThat(stateLog.records.get(stateLog.records.size() - 1).value()).isNull();
        assertThat(coordinator.views().describe("t").error()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);
        InitResult again = init("t");
        assertThat(again.producerId()).isNotEqualTo(init.producerId());
        assertThat(again.producerEpoch()).isZero();
    }

    @Test
    void verificationAnswersWhetherThePartitionIsInTheOngoingTransaction() {
        InitResult init = ongoing("t", P0);
        long pid = init.producerId();
        short epoch = init.producerEpoch();

        assertThat(coordinator.verifyLocally("t", pid, epoch, P0)).isEqualTo(Errors.NONE);
        assertThat(coordinator.verifyLocally("t", pid, epoch, P1)).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(coordinator.verifyLocally("t", pid, (short) (epoch - 1), P0)).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(coordinator.verifyLocally("t", pid + 1, epoch, P0)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(coordinator.verifyLocally("other", pid, epoch, P0)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(TransactionVerification.forProduce(Errors.PRODUCER_FENCED)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);

        coordinator.endTransaction("t", pid, epoch, true).join();
        assertThat(coordinator.verifyLocally("t", pid, epoch, P0)).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
    }

    @Test
    void listFiltersByStateProducerIdDurationAndIdPattern() {
        ongoing("app-a", P0);
        time.sleep(5000);
        InitResult b = ongoing("app-b", P1);
        init("other");

        assertThat(listed(Set.of(), Set.of(), -1, null)).containsExactlyInAnyOrder("app-a", "app-b", "other");
        assertThat(listed(Set.of("Ongoing"), Set.of(), -1, null)).containsExactlyInAnyOrder("app-a", "app-b");
        assertThat(listed(Set.of(), Set.of(b.producerId()), -1, null)).containsExactly("app-b");
        assertThat(listed(Set.of("Ongoing"), Set.of(), 4000, null)).containsExactly("app-a");
        assertThat(listed(Set.of(), Set.of(), -1, java.util.regex.Pattern.compile("app-.*")))
                .containsExactlyInAnyOrder("app-a", "app-b");
    }

    private List<String> listed(
            Set<String> states, Set<Long> producerIds, long minDurationMs, java.util.regex.Pattern p) {
        Map.Entry<Errors, List<TransactionViews.TransactionListing>> result =
                coordinator.views().list(new TransactionViews.ListFilter(states, producerIds, minDurationMs, p));
        assertThat(result.getKey()).isEqualTo(Errors.NONE);
        return result.getValue().stream()
                .map(TransactionViews.TransactionListing::transactionalId)
                .toList();
    }
}
