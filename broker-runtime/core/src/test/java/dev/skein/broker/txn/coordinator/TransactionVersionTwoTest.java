package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.txn.coordinator.TransactionCoordinator.EndResult;
import dev.skein.broker.txn.coordinator.TransactionCoordinator.InitResult;
import dev.skein.broker.txn.coordinator.TransactionCoordinatorTest.MarkerChannel;
import dev.skein.broker.txn.coordinator.TransactionCoordinatorTest.MemoryLog;
import dev.skein.testkit.time.ManualTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * KIP-890 part 2 ({@code transaction.version} 2) at the coordinator, with a manual clock, an in-memory
 * {@code __transaction_state} and a recording marker channel: partitions added by their leaders, the epoch bump at
 * every end (and the producer id rotation when it overflows), markers at the bumped epoch, retries of a lost EndTxn
 * answer, and the v1 record across a coordinator failover.
 */
class TransactionVersionTwoTest {
    private static final int TIMEOUT_MS = 10_000;
    private static final TopicPartition P0 = new TopicPartition("data", 0);
    private static final TopicPartition P1 = new TopicPartition("data", 1);
    private static final short TV2 = TransactionEntry.TV2_CLIENT;

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

    private void deliverMarkers() {
        channel.answerAll(Errors.NONE);
        for (int i = retries.size(); i > 0; i--) {
            retries.poll().run();
        }
    }

    private InitResult ongoingV2(String id, TopicPartition... partitions) {
        InitResult init =
                coordinator.initProducerId(id, TIMEOUT_MS, -1, (short) -1).join();
        assertThat(coordinator
                        .addPartitions(id, init.producerId(), init.producerEpoch(), Set.of(partitions), TV2)
                        .join())
                .isEqualTo(Errors.NONE);
        return init;
    }

    /** The version of the last value written for the id (the int16 in front of TransactionLogValue). */
    private short lastValueVersion() {
        SimpleRecord last = stateLog.records.get(stateLog.records.size() - 1);
        return last.value().getShort(0);
    }

    @Test
    void commitBumpsTheEpochWritesMarkersAtItAndAnswersIt() {
        InitResult init = ongoingV2("t", P0, P1);
        short bumped = (short) (init.producerEpoch() + 1);

        EndResult ended = coordinator
                .endTransactionV2("t", init.producerId(), init.producerEpoch(), true)
                .join();

        assertThat(ended).isEqualTo(new EndResult(Errors.NONE, init.producerId(), bumped));
        TransactionEntry prepared = stateLog.last("t");
        assertThat(prepared.state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        assertThat(prepared.producerEpoch()).isEqualTo(bumped);
        assertThat(prepared.clientTransactionVersion()).isEqualTo(TV2);
        assertThat(lastValueVersion()).as("TransactionLogValue version").isEqualTo((short) 1);
        assertThat(channel.sent).extracting(s -> s.marker().producerEpoch()).containsOnly(bumped);
        assertThat(channel.sent).extracting(s -> s.marker().transactionResult()).containsOnly(true);

        deliverMarkers();

        TransactionEntry done = stateLog.last("t");
        assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(done.producerEpoch()).isEqualTo(bumped);
        // The old epoch is fenced from the next transaction on: a late batch's add is refused.
        assertThat(coordinator
                        .addPartitions("t", init.producerId(), init.producerEpoch(), Set.of(P0), TV2)
                        .join())
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(coordinator
                        .addPartitions("t", init.producerId(), bumped, Set.of(P0), TV2)
                        .join())
                .isEqualTo(Errors.NONE);
    }

    @Test
    void theNextTransactionsEndWaitsForThePreviousOnesMarkersInsteadOfBeingFenced() {
        // The Java client aborts a transaction whose records it never sent right after the previous end's answer:
        // EndTxn at the bumped epoch while the previous markers are still being written.
        InitResult init = ongoingV2("t", P0);
        short bumped = (short) (init.producerEpoch() + 1);
        assertThat(coordinator
                        .endTransactionV2("t", init.producerId(), init.producerEpoch(), false)
                        .join()
                        .error())
                .isEqualTo(Errors.NONE);

        assertThat(coordinator
                        .endTransactionV2("t", init.producerId(), bumped, false)
                        .join()
                        .error())
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        deliverMarkers();
        assertThat(coordinator
                        .endTransactionV2("t", init.producerId(), bumped, false)
                        .join())
                .isEqualTo(new EndResult(Errors.NONE, init.producerId(), (short) (bumped + 1)));
    }

    @Test
    void retriedEndTxnWhoseAnswerWasLostGetsTheSameAnswer() {
        InitResult init = ongoingV2("t", P0);
        short epoch = init.producerEpoch();
        EndResult first = coordinator
                .endTransactionV2("t", init.producerId(), epoch, true)
                .join();

        EndResult whileMarkers = coordinator
                .endTransactionV2("t", init.producerId(), epoch, true)
                .join();
        deliverMarkers();
        EndResult afterComplete = coordinator
                .endTransactionV2("t", init.producerId(), epoch, true)
                .join();
        EndResult otherOutcome = coordinator
                .endTransactionV2("t", init.producerId(), epoch, false)
                .join();

        assertThat(whileMarkers.error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(afterComplete).isEqualTo(first);
        assertThat(otherOutcome.error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(stateLog.last("t").producerEpoch()).as("bumped once").isEqualTo((short) (epoch + 1));
        assertThat(coordinator
                        .endTransactionV2("t", init.producerId(), (short) (epoch - 1), true)
                        .join()
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void abortWithoutTransactionBumpsTheEpochAndCommitWithoutOneIsRefused() {
        InitResult init =
                coordinator.initProducerId("t", TIMEOUT_MS, -1, (short) -1).join();

        EndResult commit = coordinator
                .endTransactionV2("t", init.producerId(), init.producerEpoch(), true)
                .join();
        EndResult abort = coordinator
                .endTransactionV2("t", init.producerId(), init.producerEpoch(), false)
                .join();

        assertThat(commit.error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(abort).isEqualTo(new EndResult(Errors.NONE, init.producerId(), (short) (init.producerEpoch() + 1)));
        assertThat(channel.sent).as("no partitions, no markers").isEmpty();
        deliverMarkers();
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.COMPLETE_ABORT);
    }

    /** An id at the last epoch, Ongoing under transaction.version 2, as a loaded coordinator finds it. */
    private void loadOngoingAtLastEpoch(long producerId) {
        TransactionEntry atLastEpoch = new TransactionEntry(
                producerId,
                -1,
                -1,
                TransactionTransitions.MAX_EPOCH,
                (short) -1,
                TIMEOUT_MS,
                TransactionState.ONGOING,
                Set.of(P0),
                0,
                0,
                TV2);
        stateLog.records.add(TransactionRecords.record("t", atLastEpoch, 0));
        coordinator = newCoordinator();
    }

    @Test
    void epochOverflowMovesToANewProducerIdAfterTheMarkers() {
        loadOngoingAtLastEpoch(7);

        EndResult ended = coordinator
                .endTransactionV2("t", 7, TransactionTransitions.MAX_EPOCH, true)
                .join();

        assertThat(ended).isEqualTo(new EndResult(Errors.NONE, 1000, (short) 0));
        TransactionEntry prepared = stateLog.last("t");
        assertThat(prepared.producerId()).isEqualTo(7);
        assertThat(prepared.nextProducerId()).as("kept in the v1 record").isEqualTo(1000);
        WritableTxnMarker marker = channel.sent.get(0).marker();
        assertThat(marker.producerId()).isEqualTo(7);
        assertThat(marker.producerEpoch()).isEqualTo(Short.MAX_VALUE);

        deliverMarkers();

        TransactionEntry done = stateLog.last("t");
        assertThat(done.producerId()).isEqualTo(1000);
        assertThat(done.producerEpoch()).isZero();
        assertThat(done.previousProducerId()).isEqualTo(7);
        assertThat(coordinator
                        .endTransactionV2("t", 7, TransactionTransitions.MAX_EPOCH, true)
                        .join())
                .as("the retry names the old producer id")
                .isEqualTo(ended);
    }

    @Test
    void preparedOverflowSurvivesCoordinatorFailoverThroughTheVersionOneRecord() {
        loadOngoingAtLastEpoch(7);
        coordinator
                .endTransactionV2("t", 7, TransactionTransitions.MAX_EPOCH, false)
                .join();
        channel.sent.clear(); // the coordinator dies before any leader answers

        stateLog.leaderEpoch = 8;
        coordinator = newCoordinator();

        WritableTxnMarker resent = channel.sent.get(0).marker();
        assertThat(resent.producerEpoch()).isEqualTo(Short.MAX_VALUE);
        assertThat(resent.transactionResult()).isFalse();
        deliverMarkers();
        TransactionEntry done = stateLog.last("t");
        assertThat(done.state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        assertThat(done.producerId())
                .as("the next producer id came back from the log")
                .isEqualTo(1000);
        assertThat(done.producerEpoch()).isZero();
        assertThat(coordinator
                        .endTransactionV2("t", 7, TransactionTransitions.MAX_EPOCH, false)
                        .join())
                .isEqualTo(new EndResult(Errors.NONE, 1000, (short) 0));
    }

    @Test
    void partitionLeaderAddsThePartitionForAVersionTwoClient() {
        InitResult init =
                coordinator.initProducerId("t", TIMEOUT_MS, -1, (short) -1).join();
        TransactionVerification verifier = new TransactionVerification(coordinator, p -> 0, 0, channel);

        Errors added = verifier.verify("t", init.producerId(), init.producerEpoch(), P0, true)
                .join();
        Errors onlyVerified = verifier.verify("t", init.producerId(), init.producerEpoch(), P1, false)
                .join();

        assertThat(added).isEqualTo(Errors.NONE);
        assertThat(onlyVerified).isEqualTo(Errors.INVALID_TXN_STATE);
        TransactionEntry ongoing = stateLog.last("t");
        assertThat(ongoing.state()).isEqualTo(TransactionState.ONGOING);
        assertThat(ongoing.partitions()).containsExactly(P0);
        assertThat(ongoing.clientTransactionVersion()).isEqualTo(TV2);
        assertThat(verifier.verify("t", init.producerId(), (short) (init.producerEpoch() - 1), P1, true)
                        .join())
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void versionOneClientKeepsItsEpochAndVersionZeroRecords() {
        InitResult init =
                coordinator.initProducerId("t", TIMEOUT_MS, -1, (short) -1).join();
        coordinator
                .addPartitions("t", init.producerId(), init.producerEpoch(), Set.of(P0))
                .join();

        assertThat(coordinator
                        .endTransaction("t", init.producerId(), init.producerEpoch(), true)
                        .join())
                .isEqualTo(Errors.NONE);
        assertThat(lastValueVersion()).isZero();
        assertThat(channel.sent.get(0).marker().producerEpoch()).isEqualTo(init.producerEpoch());
        deliverMarkers();
        assertThat(stateLog.last("t").producerEpoch()).isEqualTo(init.producerEpoch());
    }

    @Test
    void lostEpochBumpOfInitProducerIdIsFencedAfterFailoverAsInKafka() {
        InitResult first =
                coordinator.initProducerId("t", TIMEOUT_MS, -1, (short) -1).join();
        InitResult bumped = coordinator
                .initProducerId("t", TIMEOUT_MS, first.producerId(), first.producerEpoch())
                .join();
        // The answer of that bump is lost; before failover the retry gets the same epoch (KIP-360).
        InitResult retried = coordinator
                .initProducerId("t", TIMEOUT_MS, first.producerId(), first.producerEpoch())
                .join();
        assertThat(retried.producerEpoch()).isEqualTo(bumped.producerEpoch());

        coordinator = newCoordinator();

        // Neither record version keeps the epoch before the bump (Kafka 4.4 loads it as -1): fenced.
        assertThat(coordinator
                        .initProducerId("t", TIMEOUT_MS, first.producerId(), first.producerEpoch())
                        .join()
                        .error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void leadersAddingSeveralPartitionsAtOnceWaitForEachOtherInsteadOfFailing() {
        InitResult init =
                coordinator.initProducerId("t", TIMEOUT_MS, -1, (short) -1).join();
        long pid = init.producerId();
        short epoch = init.producerEpoch();
        CompletableFuture<Void> commit = new CompletableFuture<>();
        stateLog.held = commit;

        CompletableFuture<Errors> first = coordinator.addPartitions("t", pid, epoch, Set.of(P0), TV2);
        CompletableFuture<Errors> second = coordinator.addPartitions("t", pid, epoch, Set.of(P1), TV2);
        Errors legacy = coordinator
                .addPartitions("t", pid, epoch, Set.of(P1), TransactionEntry.LEGACY_CLIENT)
                .join();
        assertThat(second).isNotDone();
        stateLog.held = null;
        commit.complete(null);

        assertThat(legacy)
                .as("a version-1 client still retries, as with Kafka")
                .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(first.join()).isEqualTo(Errors.NONE);
        assertThat(second.join()).isEqualTo(Errors.NONE);
        assertThat(stateLog.last("t").partitions()).containsExactlyInAnyOrder(P0, P1);
    }

    @Test
    void firstAddOfTheNextTransactionWaitsForThePreviousMarkers() {
        InitResult init = ongoingV2("t", P0);
        EndResult ended = coordinator
                .endTransactionV2("t", init.producerId(), init.producerEpoch(), true)
                .join();

        CompletableFuture<Errors> next =
                coordinator.addPartitions("t", init.producerId(), ended.producerEpoch(), Set.of(P1), TV2);
        Errors legacy = coordinator
                .addPartitions(
                        "t", init.producerId(), ended.producerEpoch(), Set.of(P1), TransactionEntry.LEGACY_CLIENT)
                .join();
        assertThat(next).as("waits while the markers are written").isNotDone();
        deliverMarkers();

        assertThat(legacy).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(next.join()).isEqualTo(Errors.NONE);
        assertThat(stateLog.last("t").state()).isEqualTo(TransactionState.ONGOING);
        assertThat(stateLog.last("t").partitions()).containsExactly(P1);
    }

    @Test
    void addGivesUpWaitingForMarkersThatDoNotComeAndTheClientRetries() {
        InitResult init = ongoingV2("t", P0);
        EndResult ended = coordinator
                .endTransactionV2("t", init.producerId(), init.producerEpoch(), true)
                .join();

        // No leader answers: after the bounded wait the client gets the retriable answer.
        Errors next = coordinator
                .addPartitions("t", init.producerId(), ended.producerEpoch(), Set.of(P1), TV2)
                .join();

        assertThat(next).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
    }
}
