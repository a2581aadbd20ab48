package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KIP-890 part 2 ({@code transaction.version} 2) through raw requests on a real broker, as a Kafka 4.x client sends
 * them: Produce v12 without AddPartitionsToTxn (the leader has the coordinator add the partition), TxnOffsetCommit v5
 * without AddOffsetsToTxn, EndTxn v5 bumping the epoch at every end (and its retry), a late batch of the ended
 * transaction fenced by the bumped epoch of its marker; and a version-1 client (AddPartitionsToTxn, Produce v11, EndTxn
 * v4) keeping its epoch beside it.
 */
class TransactionVersionTwoIT {
    private static final String TOPIC = "tv2-data";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final short ACKS_ALL = -1;

    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of("transaction.max.timeout.ms", "120000"));
        harness.createTopic(TOPIC, 2, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private RawConnection connect() throws Exception {
        return new RawConnection(harness.broker().port());
    }

    private InitProducerIdResponse init(RawConnection raw, String id) throws Exception {
        TxnRequests.awaitCoordinator(harness.broker().port(), id);
        InitProducerIdResponse init = TxnRequests.init(raw, id, 60_000, -1, (short) -1);
        assertThat(init.error()).isEqualTo(Errors.NONE);
        return init;
    }

    private static void awaitState(RawConnection raw, String id, String state) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(TxnRequests.describe(raw, id).transactionState())
                        .isEqualTo(state));
    }

    private static List<String> partitionsOf(TransactionState state) {
        return state.topics().stream()
                .flatMap((TopicData t) -> t.partitions().stream().map(p -> t.topic() + "-" + p))
                .toList();
    }

    @Test
    void produceV12IsAddedByTheLeaderAndEndTxnV5BumpsTheEpochThatFencesLateBatches() throws Exception {
        try (RawConnection raw = connect()) {
            InitProducerIdResponse init = init(raw, "tv2");
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();

            assertThat(RawTxn.produce(raw, P0, RawTxn.txnBatch(pid, epoch, 0, "a", "b"), ACKS_ALL, "tv2"))
                    .as("no AddPartitionsToTxn before")
                    .isEqualTo(Errors.NONE);
            TransactionState ongoing = TxnRequests.describe(raw, "tv2");
            assertThat(ongoing.transactionState()).isEqualTo("Ongoing");
            assertThat(partitionsOf(ongoing)).containsExactly(TOPIC + "-0");

            EndTxnResponse ended = TxnRequests.endTxnV5(raw, "tv2", pid, epoch, true);
            assertThat(ended.error()).isEqualTo(Errors.NONE);
            assertThat(ended.data().producerId()).isEqualTo(pid);
            assertThat(ended.data().producerEpoch()).isEqualTo((short) (epoch + 1));
            awaitState(raw, "tv2", "CompleteCommit");
            EndTxnResponse retried = TxnRequests.endTxnV5(raw, "tv2", pid, epoch, true);
            assertThat(retried.error()).as("the retry of a lost answer").isEqualTo(Errors.NONE);
            assertThat(retried.data().producerEpoch()).isEqualTo((short) (epoch + 1));

            assertThat(RawTxn.latest(raw, P0, IsolationLevel.READ_COMMITTED))
                    .as("two records and the marker")
                    .isEqualTo(3);
            assertThat(RawTxn.produce(raw, P0, RawTxn.txnBatch(pid, epoch, 2, "late"), ACKS_ALL, "tv2"))
                    .as("a late batch of the committed transaction (hanging transaction defence)")
                    .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
            assertThat(RawTxn.produce(raw, P1, RawTxn.txnBatch(pid, epoch, 0, "late"), ACKS_ALL, "tv2"))
                    .as("a late batch to a partition outside the ended transaction")
                    .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);

            short next = ended.data().producerEpoch();
            assertThat(RawTxn.produce(raw, P0, RawTxn.txnBatch(pid, next, 0, "c"), ACKS_ALL, "tv2"))
                    .isEqualTo(Errors.NONE);
            EndTxnResponse aborted = TxnRequests.endTxnV5(raw, "tv2", pid, next, false);
            assertThat(aborted.error()).isEqualTo(Errors.NONE);
            assertThat(aborted.data().producerEpoch()).isEqualTo((short) (next + 1));
            awaitState(raw, "tv2", "CompleteAbort");
            assertThat(RawTxn.latest(raw, P0, IsolationLevel.READ_COMMITTED)).isEqualTo(5);
            assertThat(RawTxn.fetch(raw, P0, 0, IsolationLevel.READ_COMMITTED).abortedTransactions())
                    .singleElement()
                    .satisfies(t -> assertThat(t.firstOffset()).isEqualTo(3));
        }
    }

    @Test
    void txnOffsetCommitV5WithoutAddOffsetsToTxnAddsTheGroupsOffsetsPartition() throws Exception {
        try (RawConnection raw = connect()) {
            // creates __consumer_offsets and waits until the group's partition is loaded
            try (var admin = harness.admin()) {
                admin.listConsumerGroupOffsets("tv2-group")
                        .partitionsToOffsetAndMetadata()
                        .get();
            }
            InitProducerIdResponse init = init(raw, "tv2-offsets");
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData()
                    .setTransactionalId("tv2-offsets")
                    .setGroupId("tv2-group")
                    .setProducerId(pid)
                    .setProducerEpoch(epoch)
                    .setTopics(List.of(new TxnOffsetCommitRequestTopic()
                            .setName(TOPIC)
                            .setPartitions(List.of(new TxnOffsetCommitRequestPartition()
                                    .setPartitionIndex(0)
                                    .setCommittedOffset(42)))));
            AtomicReference<Errors> error = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> {
                        TxnOffsetCommitResponse response = (TxnOffsetCommitResponse)
                                raw.send(TxnOffsetCommitRequest.Builder.forTopicIdsOrNames(data, true)
                                        .build((short) 5));
                        error.set(Errors.forCode(response.data()
                                .topics()
                                .get(0)
                                .partitions()
                                .get(0)
                                .errorCode()));
                        assertThat(error.get())
                                .isNotIn(
                                        Errors.COORDINATOR_NOT_AVAILABLE,
                                        Errors.COORDINATOR_LOAD_IN_PROGRESS,
                                        Errors.NOT_COORDINATOR);
                    });

            assertThat(error.get()).isEqualTo(Errors.NONE);
            TransactionState ongoing = TxnRequests.describe(raw, "tv2-offsets");
            assertThat(ongoing.transactionState()).isEqualTo("Ongoing");
            assertThat(partitionsOf(ongoing)).hasSize(1);
            assertThat(partitionsOf(ongoing).get(0)).startsWith(Topic.GROUP_METADATA_TOPIC_NAME + "-");
            EndTxnResponse ended = TxnRequests.endTxnV5(raw, "tv2-offsets", pid, epoch, true);
            assertThat(ended.error()).isEqualTo(Errors.NONE);
            awaitState(raw, "tv2-offsets", "CompleteCommit");
        }
    }

    @Test
    void versionOneClientAddsItsPartitionsAndKeepsItsEpoch() throws Exception {
        try (RawConnection raw = connect()) {
            InitProducerIdResponse init = init(raw, "tv1");
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();

            assertThat(RawTxn.produce(raw, P0, RawTxn.txnBatch(pid, epoch, 0, "x"), ACKS_ALL, "tv1", (short) 11))
                    .as("Produce v11 only verifies: the partition was not added")
                    .isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(TxnRequests.addPartitions(raw, "tv1", pid, epoch, List.of(P0)))
                    .containsValue(Errors.NONE);
            assertThat(RawTxn.produce(raw, P0, RawTxn.txnBatch(pid, epoch, 0, "x"), ACKS_ALL, "tv1", (short) 11))
                    .isEqualTo(Errors.NONE);
            assertThat(TxnRequests.endTxn(raw, "tv1", pid, epoch, true)).isEqualTo(Errors.NONE);
            awaitState(raw, "tv1", "CompleteCommit");

            assertThat(TxnRequests.describe(raw, "tv1").producerEpoch()).isEqualTo(epoch);
            assertThat(TxnRequests.addPartitions(raw, "tv1", pid, epoch, List.of(P1)))
                    .as("the next transaction at the same epoch")
                    .containsValue(Errors.NONE);
        }
    }
}
