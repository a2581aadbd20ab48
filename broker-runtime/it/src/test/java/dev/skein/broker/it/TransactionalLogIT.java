package dev.skein.broker.it;

import static dev.skein.broker.it.RawProduce.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions on the partition log, driven through raw requests on a real broker whose transaction coordinator is a
 * test double ({@link ScriptedVerifier}): transactional produce after verification, WriteTxnMarkers, the last stable
 * offset in Fetch and ListOffsets, read_committed fetches with their aborted transactions, and all of it across a
 * restart.
 */
class TransactionalLogIT {
    private static final String TOPIC = "txn-log";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final IsolationLevel COMMITTED = IsolationLevel.READ_COMMITTED;
    private static final IsolationLevel UNCOMMITTED = IsolationLevel.READ_UNCOMMITTED;

    @TempDir
    Path dir;

    private final ScriptedVerifier verifier = new ScriptedVerifier();
    private BrokerHarness harness;
    private RawConnection raw;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dir, Map.of(), verifier);
        harness.createTopic(TOPIC, 1, Map.of());
        raw = new RawConnection(harness.broker().port());
    }

    @AfterEach
    void stop() throws Exception {
        if (raw != null) {
            raw.close();
        }
        harness.close();
    }

    private PartitionProduceResponse produceTxn(long producerId, short epoch, int sequence, String... values)
            throws Exception {
        return RawProduce.produce(
                raw, TOPIC, RawProduce.copy(RawTxn.txnBatch(producerId, epoch, sequence, values)), (short) 12, "tx");
    }

    private PartitionProduceResponse producePlain(String... values) throws Exception {
        return RawProduce.produce(raw, TOPIC, RawProduce.copy(RawTxn.plainBatch(values)));
    }

    @Test
    void readCommittedStopsAtTheLastStableOffsetAndSkipsAbortedTransactions() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        assertThat(error(producePlain("a"))).isEqualTo(Errors.NONE); // offset 0
        assertThat(error(produceTxn(producerId, (short) 0, 0, "t1", "t2"))).isEqualTo(Errors.NONE); // 1-2
        assertThat(error(producePlain("b"))).isEqualTo(Errors.NONE); // 3
        assertThat(verifier.calls).containsExactly(new ScriptedVerifier.Call("tx", producerId, (short) 0, TP, true));

        FetchResponseData.PartitionData uncommitted = RawTxn.fetch(raw, TP, 0, UNCOMMITTED);
        assertThat(uncommitted.highWatermark()).isEqualTo(4);
        assertThat(uncommitted.lastStableOffset()).isEqualTo(1);
        assertThat(RawTxn.offsets(uncommitted)).containsExactly(0L, 1L, 2L, 3L);
        FetchResponseData.PartitionData committed = RawTxn.fetch(raw, TP, 0, COMMITTED);
        assertThat(committed.lastStableOffset()).isEqualTo(1);
        assertThat(RawTxn.offsets(committed)).containsExactly(0L);
        assertThat(committed.abortedTransactions()).isEmpty();
        assertThat(RawTxn.latest(raw, TP, COMMITTED)).isEqualTo(1);
        assertThat(RawTxn.latest(raw, TP, UNCOMMITTED)).isEqualTo(4);

        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 0, 0, false)).isEqualTo(Errors.NONE); // 4
        committed = RawTxn.fetch(raw, TP, 0, COMMITTED);
        assertThat(committed.lastStableOffset()).isEqualTo(5);
        assertThat(RawTxn.offsets(committed)).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(committed.abortedTransactions())
                .containsExactly(
                        new AbortedTransaction().setProducerId(producerId).setFirstOffset(1));
        assertThat(RawTxn.latest(raw, TP, COMMITTED)).isEqualTo(5);

        // The next transaction of the producer is verified again (its last one ended here) and then committed.
        assertThat(error(produceTxn(producerId, (short) 0, 2, "t3"))).isEqualTo(Errors.NONE); // 5
        assertThat(error(produceTxn(producerId, (short) 0, 3, "t4"))).isEqualTo(Errors.NONE); // 6
        assertThat(verifier.calls).hasSize(2);
        assertThat(RawTxn.latest(raw, TP, COMMITTED)).isEqualTo(5);
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 0, 0, true)).isEqualTo(Errors.NONE); // 7
        committed = RawTxn.fetch(raw, TP, 5, COMMITTED);
        assertThat(RawTxn.offsets(committed)).containsExactly(5L, 6L, 7L);
        assertThat(committed.abortedTransactions()).isEmpty();

        harness.restart();
        try (RawConnection again = new RawConnection(harness.broker().port())) {
            FetchResponseData.PartitionData afterRestart = RawTxn.fetch(again, TP, 0, COMMITTED);
            assertThat(afterRestart.lastStableOffset()).isEqualTo(8);
            assertThat(afterRestart.abortedTransactions())
                    .containsExactly(
                            new AbortedTransaction().setProducerId(producerId).setFirstOffset(1));
        }
    }

    @Test
    void anOpenTransactionHoldsTheLastStableOffsetAcrossARestart() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        assertThat(error(producePlain("a"))).isEqualTo(Errors.NONE);
        assertThat(error(produceTxn(producerId, (short) 0, 0, "open"))).isEqualTo(Errors.NONE); // 1
        assertThat(error(producePlain("b", "c"))).isEqualTo(Errors.NONE); // 2-3
        harness.restart();
        raw.close();
        raw = new RawConnection(harness.broker().port());
        assertThat(RawTxn.latest(raw, TP, COMMITTED)).isEqualTo(1);
        assertThat(RawTxn.fetch(raw, TP, 0, COMMITTED).lastStableOffset()).isEqualTo(1);
        // The open transaction continues without a new verification, then aborts.
        assertThat(error(produceTxn(producerId, (short) 0, 1, "more"))).isEqualTo(Errors.NONE); // 4
        assertThat(verifier.calls).hasSize(1);
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 0, 3, false)).isEqualTo(Errors.NONE); // 5
        FetchResponseData.PartitionData committed = RawTxn.fetch(raw, TP, 0, COMMITTED);
        assertThat(committed.lastStableOffset()).isEqualTo(6);
        assertThat(committed.abortedTransactions())
                .containsExactly(
                        new AbortedTransaction().setProducerId(producerId).setFirstOffset(1));
    }

    @Test
    void theCoordinatorsRefusalIsThePartitionsErrorAndNothingIsWritten() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        verifier.answer = Errors.INVALID_PRODUCER_ID_MAPPING;
        PartitionProduceResponse refused = produceTxn(producerId, (short) 0, 0, "x");
        assertThat(error(refused)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(refused.errorMessage()).contains("transaction coordinator");
        verifier.answer = Errors.CONCURRENT_TRANSACTIONS;
        assertThat(error(produceTxn(producerId, (short) 0, 0, "x"))).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        assertThat(RawTxn.latest(raw, TP, UNCOMMITTED)).isZero();

        // Verified or not, a client's control batch is refused by the record validation.
        verifier.answer = Errors.NONE;
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(
                producerId, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        assertThat(error(RawProduce.produce(raw, TOPIC, RawProduce.copy(marker), (short) 12, "tx")))
                .isEqualTo(Errors.INVALID_RECORD);
        assertThat(RawTxn.latest(raw, TP, UNCOMMITTED)).isZero();
        // Produce v11 asks for verification only (KIP-890 part 1), v12 for verification and adding the partition.
        RawProduce.produce(
                raw, TOPIC, RawProduce.copy(RawTxn.txnBatch(producerId, (short) 0, 0, "v11")), (short) 11, "tx");
        assertThat(verifier.calls.get(verifier.calls.size() - 1).add()).isFalse();
    }

    @Test
    void aVerificationThatRacedTheTransactionsMarkerCannotStartATransaction() throws Exception {
        // transaction.version 1 (Produce v11, verify only): the marker has the data's epoch, so the guard is all
        // that tells the ended transaction's late batch from a new one.
        long producerId = RawProduce.initProducerId(raw);
        verifier.hold = true;
        CompletableFuture<PartitionProduceResponse> late = CompletableFuture.supplyAsync(() -> {
            try (RawConnection other = new RawConnection(harness.broker().port())) {
                return RawProduce.produce(
                        other,
                        TOPIC,
                        RawProduce.copy(RawTxn.txnBatch(producerId, (short) 0, 0, "late")),
                        (short) 11,
                        "tx");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> verifier.held.size() == 1);
        // The coordinator aborted the transaction meanwhile: its marker reaches the partition first.
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 0, 0, false)).isEqualTo(Errors.NONE);
        verifier.held.get(0).complete(Errors.NONE);
        assertThat(error(late.get())).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(RawTxn.latest(raw, TP, COMMITTED)).isEqualTo(1);
        assertThat(RawTxn.fetch(raw, TP, 0, COMMITTED).lastStableOffset()).isEqualTo(1);
    }

    @Test
    void aVersionTwoBatchWhoseGuardThePreviousTransactionsMarkerDroppedIsVerifiedAgain() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        verifier.hold = true;
        CompletableFuture<PartitionProduceResponse> next = CompletableFuture.supplyAsync(() -> {
            try (RawConnection other = new RawConnection(harness.broker().port())) {
                return RawProduce.produce(
                        other,
                        TOPIC,
                        RawProduce.copy(RawTxn.txnBatch(producerId, (short) 1, 0, "next")),
                        (short) 12,
                        "tx");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> verifier.held.size() == 1);
        // transaction.version 2: the previous transaction ended with markers at the bumped epoch 1, the epoch the
        // producer's next transaction uses; the marker reaches this partition while that one's first batch verifies.
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 1, 0, true)).isEqualTo(Errors.NONE);
        verifier.hold = false;
        verifier.held.get(0).complete(Errors.NONE);
        assertThat(error(next.get())).isEqualTo(Errors.NONE);
        assertThat(verifier.calls).hasSize(2).allSatisfy(call -> assertThat(call.add())
                .isTrue());
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 1, 0, true)).isEqualTo(Errors.NONE);
        assertThat(RawTxn.latest(raw, TP, COMMITTED)).isEqualTo(3);
    }

    @Test
    void markersAreFencedByProducerAndCoordinatorEpochsPerPartition() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        assertThat(error(produceTxn(producerId, (short) 2, 0, "t"))).isEqualTo(Errors.NONE);
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 1, 5, true))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 2, 5, true)).isEqualTo(Errors.NONE);
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 2, 4, true))
                .isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
        // A marker for a producer with no open transaction here is still written (idempotent for readers).
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 2, 5, true)).isEqualTo(Errors.NONE);
        assertThat(RawTxn.latest(raw, TP, UNCOMMITTED)).isEqualTo(3);
        assertThat(RawTxn.writeMarker(raw, new TopicPartition("no-such-topic", 0), producerId, (short) 2, 5, true))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void describeProducersShowsTheOpenTransactionThroughTheAdminClient() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        assertThat(error(producePlain("a"))).isEqualTo(Errors.NONE); // 0
        assertThat(error(produceTxn(producerId, (short) 0, 0, "t1", "t2"))).isEqualTo(Errors.NONE); // 1-2
        Admin admin = harness.admin();
        List<ProducerState> producers =
                admin.describeProducers(List.of(TP)).partitionResult(TP).get().activeProducers();
        assertThat(producers).hasSize(1);
        ProducerState state = producers.get(0);
        assertThat(state.producerId()).isEqualTo(producerId);
        assertThat(state.producerEpoch()).isZero();
        assertThat(state.lastSequence()).isEqualTo(1);
        assertThat(state.currentTransactionStartOffset()).hasValue(1L);
        assertThat(state.coordinatorEpoch()).isEmpty();

        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 0, 4, true)).isEqualTo(Errors.NONE);
        state = admin.describeProducers(List.of(TP))
                .partitionResult(TP)
                .get()
                .activeProducers()
                .get(0);
        assertThat(state.currentTransactionStartOffset()).isEmpty();
        assertThat(state.coordinatorEpoch()).hasValue(4);
        // The admin client retries an unknown partition; the raw request shows the broker's answer.
        DescribeProducersRequestData unknown = new DescribeProducersRequestData();
        unknown.topics()
                .add(new DescribeProducersRequestData.TopicRequest()
                        .setName(TOPIC)
                        .setPartitionIndexes(List.of(7)));
        DescribeProducersResponse response =
                (DescribeProducersResponse) raw.send(new DescribeProducersRequest.Builder(unknown).build((short) 0));
        assertThat(response.data().topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void aReadCommittedFetchWaitsForTheLastStableOffset() throws Exception {
        long producerId = RawProduce.initProducerId(raw);
        assertThat(error(produceTxn(producerId, (short) 0, 0, "t"))).isEqualTo(Errors.NONE); // 0
        CompletableFuture<FetchResponseData.PartitionData> parked = CompletableFuture.supplyAsync(() -> {
            try (RawConnection other = new RawConnection(harness.broker().port())) {
                return RawTxn.fetch(other, TP, 0, COMMITTED, 8000, 1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.broker().fetchPurgatorySize() >= 1);
        assertThat(parked).isNotDone();
        assertThat(RawTxn.writeMarker(raw, TP, producerId, (short) 0, 0, true)).isEqualTo(Errors.NONE);
        FetchResponseData.PartitionData data = parked.get();
        assertThat(RawTxn.offsets(data)).containsExactly(0L, 1L);
        assertThat(data.lastStableOffset()).isEqualTo(2);
        assertThat(List.copyOf(data.abortedTransactions())).isEmpty();
    }
}
