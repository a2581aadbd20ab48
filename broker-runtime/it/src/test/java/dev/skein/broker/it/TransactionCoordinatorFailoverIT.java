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
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers: the transaction state is replicated (RF 3, min ISR 2) and a new coordinator loads it when the
 * {@code __transaction_state} leader stops: the ongoing transaction is there with its producer id and epoch, and a new
 * producer instance fences it through the new coordinator.
 */
class TransactionCoordinatorFailoverIT {
    private static final TopicPartition STATE = new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME, 0);

    @TempDir
    Path dir;

    @Test
    void newCoordinatorLoadsTheOngoingTransactionAndFencesItsProducer() throws Exception {
        try (ClusterHarness cluster =
                ClusterHarness.start(dir, 3, Map.of("transaction.state.log.num.partitions", "1"))) {
            cluster.createTopic("data", 1, 3, Map.of());
            int coordinator = findCoordinator(cluster, cluster.anyBroker().port(), "app");
            assertThat(cluster.state(STATE).isr()).hasSize(3);
            assertThat(cluster.anyBroker()
                            .metadata()
                            .topic(STATE.topic())
                            .orElseThrow()
                            .configs())
                    .containsEntry("min.insync.replicas", "2");
            InitProducerIdResponse init = awaitInit(cluster.broker(coordinator).port());
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            try (RawConnection raw =
                    new RawConnection(cluster.broker(coordinator).port())) {
                assertThat(TxnRequests.addPartitions(raw, "app", pid, epoch, List.of(new TopicPartition("data", 0))))
                        .containsValue(Errors.NONE);
            }

            cluster.stopBroker(coordinator);
            int next = findCoordinator(cluster, cluster.anyBroker().port(), "app");
            assertThat(next).isNotEqualTo(coordinator);

            AtomicReference<TransactionState> loaded = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        try (RawConnection raw =
                                new RawConnection(cluster.broker(next).port())) {
                            TransactionState state = TxnRequests.describe(raw, "app");
                            assertThat(Errors.forCode(state.errorCode())).isEqualTo(Errors.NONE);
                            loaded.set(state);
                        }
                    });
            assertThat(loaded.get().transactionState()).isEqualTo("Ongoing");
            assertThat(loaded.get().producerId()).isEqualTo(pid);
            assertThat(loaded.get().producerEpoch()).isEqualTo(epoch);

            try (RawConnection raw = new RawConnection(cluster.broker(next).port())) {
                // The abort is written (acks=all) after this answer: the client retries on CONCURRENT_TRANSACTIONS.
                assertThat(TxnRequests.init(raw, "app", 60_000, -1, (short) -1).error())
                        .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> {
                            TransactionState aborting = TxnRequests.describe(raw, "app");
                            assertThat(aborting.transactionState()).isIn("PrepareAbort", "CompleteAbort");
                            assertThat(aborting.producerEpoch()).isEqualTo((short) (epoch + 1));
                        });
                assertThat(TxnRequests.endTxn(raw, "app", pid, epoch, true)).isEqualTo(Errors.PRODUCER_FENCED);
            }
        }
    }

    /**
     * A {@code transaction.version} 2 producer (Produce v12 added by the data leader, EndTxn v5): its state is written
     * as TransactionLogValue v1, which the next coordinator loads; the transaction opened at the bumped epoch before
     * the failover is committed through the new coordinator at the next epoch.
     */
    @Test
    void versionTwoTransactionContinuesAtTheBumpedEpochAfterFailover() throws Exception {
        try (ClusterHarness cluster =
                ClusterHarness.start(dir, 3, Map.of("transaction.state.log.num.partitions", "1"))) {
            TopicPartition data = new TopicPartition("data", 0);
            cluster.createTopic("data", 1, 3, Map.of());
            int coordinator = findCoordinator(cluster, cluster.anyBroker().port(), "app");
            InitProducerIdResponse init = awaitInit(cluster.broker(coordinator).port());
            long pid = init.data().producerId();
            short epoch = init.data().producerEpoch();
            awaitProduced(cluster, data, RawTxn.txnBatch(pid, epoch, 0, "first"));
            short bumped;
            try (RawConnection raw =
                    new RawConnection(cluster.broker(coordinator).port())) {
                EndTxnResponse ended = TxnRequests.endTxnV5(raw, "app", pid, epoch, true);
                assertThat(ended.error()).isEqualTo(Errors.NONE);
                bumped = ended.data().producerEpoch();
                assertThat(bumped).isEqualTo((short) (epoch + 1));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                                TxnRequests.describe(raw, "app").transactionState())
                        .isEqualTo("CompleteCommit"));
            }
            awaitProduced(cluster, data, RawTxn.txnBatch(pid, bumped, 0, "second"));

            cluster.stopBroker(coordinator);
            int next = findCoordinator(cluster, cluster.anyBroker().port(), "app");
            AtomicReference<TransactionState> loaded = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        try (RawConnection raw =
                                new RawConnection(cluster.broker(next).port())) {
                            TransactionState state = TxnRequests.describe(raw, "app");
                            assertThat(Errors.forCode(state.errorCode())).isEqualTo(Errors.NONE);
                            loaded.set(state);
                        }
                    });
            assertThat(loaded.get().transactionState()).isEqualTo("Ongoing");
            assertThat(loaded.get().producerId()).isEqualTo(pid);
            assertThat(loaded.get().producerEpoch()).isEqualTo(bumped);

            try (RawConnection raw = new RawConnection(cluster.broker(next).port())) {
                EndTxnResponse ended = TxnRequests.endTxnV5(raw, "app", pid, bumped, true);
                assertThat(ended.error()).isEqualTo(Errors.NONE);
                assertThat(ended.data().producerEpoch()).isEqualTo((short) (bumped + 1));
                // While the commit's markers are written any EndTxn answers CONCURRENT_TRANSACTIONS (Kafka's pending
                // transition); once complete, the epoch before the failover is fenced.
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertThat(TxnRequests.endTxnV5(raw, "app", pid, epoch, true)
                                        .error())
                                .as("the epoch before the failover stays fenced")
                                .isEqualTo(Errors.PRODUCER_FENCED));
            }
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        int leader = cluster.awaitLeader(data);
                        try (RawConnection raw =
                                new RawConnection(cluster.broker(leader).port())) {
                            assertThat(RawTxn.latest(raw, data, IsolationLevel.READ_COMMITTED))
                                    .as("two records, two commit markers")
                                    .isEqualTo(4);
                        }
                    });
        }
    }

    /** Produces {@code batch} (v12, transactional id "app") to the partition's leader until it is accepted. */
    private static void awaitProduced(ClusterHarness cluster, TopicPartition tp, MemoryRecords batch) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    int leader = cluster.awaitLeader(tp);
                    try (RawConnection raw =
                            new RawConnection(cluster.broker(leader).port())) {
                        assertThat(RawTxn.produce(raw, tp, batch, (short) -1, "app"))
                                .isEqualTo(Errors.NONE);
                    }
                });
    }

    private static int findCoordinator(ClusterHarness cluster, int port, String id) {
        AtomicReference<Integer> found = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    try (RawConnection raw = new RawConnection(port)) {
                        FindCoordinatorResponse response = (FindCoordinatorResponse)
                                raw.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                                                .setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id())
                                                .setCoordinatorKeys(List.of(id)))
                                        .build((short) 4));
                        assertThat(Errors.forCode(
                                        response.data().coordinators().get(0).errorCode()))
                                .isEqualTo(Errors.NONE);
                        int node = response.data().coordinators().get(0).nodeId();
                        assertThat(cluster.liveIds()).contains(node);
                        found.set(node);
                    }
                });
        return found.get();
    }

    private static InitProducerIdResponse awaitInit(int port) {
        AtomicReference<InitProducerIdResponse> result = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    try (RawConnection raw = new RawConnection(port)) {
                        InitProducerIdResponse init = TxnRequests.init(raw, "app", 60_000, -1, (short) -1);
                        assertThat(init.error()).isEqualTo(Errors.NONE);
                        result.set(init);
                    }
                });
        return result.get();
    }
}
