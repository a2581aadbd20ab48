package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction coordinator through raw requests on a real broker: FindCoordinator TRANSACTION, InitProducerId with
 * a transactional id, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, DescribeTransactions and ListTransactions, and the
 * state surviving a restart (loaded back from {@code __transaction_state}).
 */
class TransactionCoordinatorApiIT {
    private static final String TOPIC = "txn-data";

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

    private void awaitCoordinator(String transactionalId) {
        TxnRequests.awaitCoordinator(harness.broker().port(), transactionalId);
    }

    @Test
    void findCoordinatorCreatesTheCompactedStateTopicAndNamesThisBroker() throws Exception {
        awaitCoordinator("app-1");
        var topic = harness.broker()
                .metadata()
                .topic(Topic.TRANSACTION_STATE_TOPIC_NAME)
                .orElseThrow();
        assertThat(topic.partitionCount()).isEqualTo(50);
        assertThat(topic.configs())
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("min.insync.replicas", "1");
    }

    @Test
    void initProducerIdBumpsTheEpochOfAnExistingTransactionalId() throws Exception {
        awaitCoordinator("app-1");
        try (RawConnection raw = connect()) {
            InitProducerIdResponse first = TxnRequests.init(raw, "app-1", 60_000, -1, (short) -1);
            InitProducerIdResponse second = TxnRequests.init(raw, "app-1", 60_000, -1, (short) -1);
            assertThat(first.error()).isEqualTo(Errors.NONE);
            assertThat(first.data().producerEpoch()).isEqualTo((short) 0);
            assertThat(second.data().producerId()).isEqualTo(first.data().producerId());
            assertThat(second.data().producerEpoch()).isEqualTo((short) 1);

            // KIP-360: naming the current producer id and epoch bumps once more; an older epoch is fenced.
            InitProducerIdResponse recovered =
                    TxnRequests.init(raw, "app-1", 60_000, first.data().producerId(), (short) 1);
            assertThat(recovered.data().producerEpoch()).isEqualTo((short) 2);
            assertThat(TxnRequests.init(raw, "app-1", 60_000, first.data().producerId(), (short) 0)
                            .error())
                    .isEqualTo(Errors.PRODUCER_FENCED);
        }
    }

    @Test
    void timeoutAboveTheMaximumIsRefused() throws Exception {
        awaitCoordinator("app-1");
        try (RawConnection raw = connect()) {
            assertThat(TxnRequests.init(raw, "app-1", 120_001, -1, (short) -1).error())
                    .isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        }
    }

    @Test
    void transactionGoesOngoingThenPreparesCommitAndFencesOldEpochs() throws Exception {
        awaitCoordinator("app-2");
        try (RawConnection raw = connect()) {
            InitProducerIdResponse init = TxnRequests.init(raw, "app-2", 60_000, -1, (short) -1);
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            TopicPartition p0 = new TopicPartition(TOPIC, 0);
            TopicPartition unknown = new TopicPartition("no-such-topic", 0);

            assertThat(TxnRequests.addPartitions(raw, "app-2", pid, epoch, List.of(p0, unknown)))
                    .containsEntry(p0, Errors.OPERATION_NOT_ATTEMPTED)
                    .containsEntry(unknown, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(TxnRequests.addPartitions(raw, "app-2", pid, (short) (epoch + 1), List.of(p0)))
                    .containsEntry(p0, Errors.PRODUCER_FENCED);
            assertThat(TxnRequests.addPartitions(raw, "app-2", pid + 1, epoch, List.of(p0)))
                    .containsEntry(p0, Errors.INVALID_PRODUCER_ID_MAPPING);
            assertThat(TxnRequests.addPartitions(raw, "app-2", pid, epoch, List.of(p0)))
                    .containsEntry(p0, Errors.NONE);
            AddOffsetsToTxnResponse offsets = (AddOffsetsToTxnResponse)
                    raw.send(new AddOffsetsToTxnRequest.Builder(new AddOffsetsToTxnRequestData()
                                    .setTransactionalId("app-2")
                                    .setProducerId(pid)
                                    .setProducerEpoch(epoch)
                                    .setGroupId("group-a"))
                            .build((short) 3));
            assertThat(Errors.forCode(offsets.data().errorCode())).isEqualTo(Errors.NONE);

            TransactionState ongoing = TxnRequests.describe(raw, "app-2");
            assertThat(ongoing.transactionState()).isEqualTo("Ongoing");
            assertThat(ongoing.producerId()).isEqualTo(pid);
            assertThat(ongoing.topics())
                    .extracting(t -> t.topic())
                    .containsExactlyInAnyOrder(TOPIC, Topic.GROUP_METADATA_TOPIC_NAME);

            ListTransactionsResponse listed = (ListTransactionsResponse) raw.send(new ListTransactionsRequest.Builder(
                            new ListTransactionsRequestData().setStateFilters(List.of("Ongoing", "Bogus")))
                    .build((short) 1));
            assertThat(listed.data().transactionStates())
                    .extracting(s -> s.transactionalId())
                    .containsExactly("app-2");
            assertThat(listed.data().unknownStateFilters()).containsExactly("Bogus");

            assertThat(TxnRequests.endTxn(raw, "app-2", pid, (short) (epoch - 1), true))
                    .isEqualTo(Errors.PRODUCER_FENCED);
            assertThat(TxnRequests.endTxn(raw, "app-2", pid, epoch, true)).isEqualTo(Errors.NONE);
            // Whether the markers are still being written or done, the opposite outcome is refused.
            assertThat(TxnRequests.endTxn(raw, "app-2", pid, epoch, false)).isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(TxnRequests.describe(raw, "app-2").transactionState()).isIn("PrepareCommit", "CompleteCommit");
        }
    }

    @Test
    void brokerVersionVerifiesWithoutAddingPartitions() throws Exception {
        awaitCoordinator("app-4");
        try (RawConnection raw = connect()) {
            InitProducerIdResponse init = TxnRequests.init(raw, "app-4", 60_000, -1, (short) -1);
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            TopicPartition p0 = new TopicPartition(TOPIC, 0);
            TopicPartition p1 = new TopicPartition(TOPIC, 1);
            assertThat(TxnRequests.addPartitions(raw, "app-4", pid, epoch, List.of(p0)))
                    .containsEntry(p0, Errors.NONE);

            AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
            topics.add(new AddPartitionsToTxnTopic().setName(TOPIC).setPartitions(List.of(0, 1)));
            AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
            transactions.add(new AddPartitionsToTxnTransaction()
                    .setTransactionalId("app-4")
                    .setProducerId(pid)
                    .setProducerEpoch(epoch)
                    .setVerifyOnly(true)
                    .setTopics(topics));
            AddPartitionsToTxnResponse verified = (AddPartitionsToTxnResponse) raw.send(
                    AddPartitionsToTxnRequest.Builder.forBroker(transactions).build((short) 4));

            assertThat(verified.errors().get("app-4"))
                    .containsEntry(p0, Errors.NONE)
                    .containsEntry(p1, Errors.INVALID_TXN_STATE);
            assertThat(TxnRequests.describe(raw, "app-4").topics()).hasSize(1);
            assertThat(TxnRequests.describe(raw, "app-4")
                            .topics()
                            .iterator()
                            .next()
                            .partitions())
                    .containsExactly(0);
        }
    }

    @Test
    void ongoingTransactionIsLoadedBackAfterARestart() throws Exception {
        awaitCoordinator("app-3");
        long pid;
        short epoch;
        try (RawConnection raw = connect()) {
            InitProducerIdResponse init = TxnRequests.init(raw, "app-3", 60_000, -1, (short) -1);
            pid = init.data().producerId();
            epoch = init.data().producerEpoch();
            assertThat(TxnRequests.addPartitions(raw, "app-3", pid, epoch, List.of(new TopicPartition(TOPIC, 1))))
                    .containsValue(Errors.NONE);
        }
        harness.restart();
        AtomicReference<TransactionState> loaded = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    try (RawConnection raw = connect()) {
                        TransactionState state = TxnRequests.describe(raw, "app-3");
                        assertThat(Errors.forCode(state.errorCode())).isEqualTo(Errors.NONE);
                        loaded.set(state);
                    }
                });
        assertThat(loaded.get().transactionState()).isEqualTo("Ongoing");
        assertThat(loaded.get().producerId()).isEqualTo(pid);
        assertThat(loaded.get().producerEpoch()).isEqualTo(epoch);
        assertThat(loaded.get().transactionTimeoutMs()).isEqualTo(60_000);
        assertThat(loaded.get().topics()).hasSize(1);
    }

    @Test
    void everyAdvertisedVersionOfTheTransactionApisIsAnswered() throws Exception {
        awaitCoordinator("sweep");
        try (RawConnection raw = connect()) {
            InitProducerIdResponse init = null;
            for (short v = ApiKeys.INIT_PRODUCER_ID.oldestVersion();
                    v <= ApiKeys.INIT_PRODUCER_ID.latestVersion();
                    v++) {
                init = (InitProducerIdResponse)
                        raw.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                                        .setTransactionalId("sweep")
                                        .setTransactionTimeoutMs(60_000))
                                .build(v));
                assertThat(init.error()).as("InitProducerId v%d", v).isEqualTo(Errors.NONE);
            }
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            for (short v = 0; v <= 3; v++) {
                AddPartitionsToTxnResponse added =
                        (AddPartitionsToTxnResponse) raw.send(AddPartitionsToTxnRequest.Builder.forClient(
                                        "sweep", pid, epoch, List.of(new TopicPartition(TOPIC, v % 2)))
                                .build(v));
                assertThat(added.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID))
                        .as("AddPartitionsToTxn v%d", v)
                        .containsValue(Errors.NONE);
            }
            for (short v = ApiKeys.ADD_OFFSETS_TO_TXN.oldestVersion();
                    v <= ApiKeys.ADD_OFFSETS_TO_TXN.latestVersion();
                    v++) {
                AddOffsetsToTxnResponse offsets = (AddOffsetsToTxnResponse)
                        raw.send(new AddOffsetsToTxnRequest.Builder(new AddOffsetsToTxnRequestData()
                                        .setTransactionalId("sweep")
                                        .setProducerId(pid)
                                        .setProducerEpoch(epoch)
                                        .setGroupId("g"))
                                .build(v));
                assertThat(Errors.forCode(offsets.data().errorCode()))
                        .as("AddOffsetsToTxn v%d", v)
                        .isEqualTo(Errors.NONE);
            }
            for (short v = 0; v <= 4; v++) {
                EndTxnResponse ended = (EndTxnResponse) raw.send(new EndTxnRequest.Builder(
                                new EndTxnRequestData()
                                        .setTransactionalId("sweep")
                                        .setProducerId(pid)
                                        .setProducerEpoch(epoch)
                                        .setCommitted(true),
                                false)
                        .build(v));
                // The first ends the transaction; later ones are retries while or after the markers are written.
                assertThat(ended.error()).as("EndTxn v%d", v).isIn(Errors.NONE, Errors.CONCURRENT_TRANSACTIONS);
            }
            for (short v = ApiKeys.LIST_TRANSACTIONS.oldestVersion();
                    v <= ApiKeys.LIST_TRANSACTIONS.latestVersion();
                    v++) {
                ListTransactionsResponse listed = (ListTransactionsResponse)
                        raw.send(new ListTransactionsRequest.Builder(new ListTransactionsRequestData()).build(v));
                assertThat(listed.data().transactionStates())
                        .as("ListTransactions v%d", v)
                        .extracting(s -> s.transactionalId())
                        .contains("sweep");
            }
            assertThat(TxnRequests.describe(raw, "sweep").transactionState()).isIn("PrepareCommit", "CompleteCommit");
        }
    }

    @Test
    void apiVersionsAdvertisesTransactionVersionTwoAndEndTxnUpToFive() throws Exception {
        try (RawConnection raw = connect()) {
            ApiVersionsResponse versions =
                    (ApiVersionsResponse) raw.send(new ApiVersionsRequest.Builder().build((short) 3));
            FinalizedFeatureKey tv = versions.data().finalizedFeatures().find("transaction.version");
            assertThat(tv).isNotNull();
            assertThat(tv.maxVersionLevel()).isEqualTo((short) 2);
            assertThat(versions.data()
                            .supportedFeatures()
                            .find("transaction.version")
                            .maxVersion())
                    .isEqualTo((short) 2);
            assertThat(versions.apiVersion(ApiKeys.END_TXN.id).maxVersion()).isEqualTo((short) 5);
            assertThat(versions.apiVersion(ApiKeys.ADD_PARTITIONS_TO_TXN.id)).isNotNull();
            assertThat(versions.apiVersion(ApiKeys.LIST_TRANSACTIONS.id)).isNotNull();
        }
    }
}
