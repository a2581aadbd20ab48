package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.broker.Broker;
import dev.skein.broker.log.AbortedTxn;
import dev.skein.broker.log.PartitionLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Followers build the same transactional state as their leader from the replicated batches and markers (producer
 * state, aborted-transaction index, last stable offset), so a new leader serves read_committed consumers exactly as
 * the old one did, on a 3-broker cluster whose transaction coordinator is a test double.
 */
class TransactionalReplicationIT {
    private static final TopicPartition TP = new TopicPartition("txn-replicated", 0);

    @TempDir
    Path dir;

    private static PartitionLog log(Broker broker) {
        return broker.partitions().get(TP).orElseThrow().log();
    }

    @Test
    void aNewLeaderKeepsTheAbortedTransactionsAndTheLastStableOffset() throws Exception {
        ScriptedVerifier verifier = new ScriptedVerifier();
        try (ClusterHarness cluster =
                ClusterHarness.start(dir, 3, Map.of("replica.lag.time.max.ms", "2000"), verifier)) {
            cluster.createTopic(TP.topic(), 1, 3, Map.of("min.insync.replicas", "1"));
            int leader = cluster.awaitLeader(TP);
            long aborted;
            long open;
            try (RawConnection raw = new RawConnection(cluster.broker(leader).port())) {
                aborted = RawProduce.initProducerId(raw);
                open = RawProduce.initProducerId(raw);
                short all = -1;
                assertThat(RawTxn.produce(raw, TP, RawTxn.txnBatch(aborted, (short) 0, 0, "a1", "a2"), all, "tx-a"))
                        .isEqualTo(Errors.NONE); // 0-1
                assertThat(RawTxn.writeMarker(raw, TP, aborted, (short) 0, 0, false))
                        .isEqualTo(Errors.NONE); // 2
                assertThat(RawTxn.produce(raw, TP, RawTxn.plainBatch("p"), all, null))
                        .isEqualTo(Errors.NONE); // 3
                assertThat(RawTxn.produce(raw, TP, RawTxn.txnBatch(open, (short) 0, 0, "b"), all, "tx-b"))
                        .isEqualTo(Errors.NONE); // 4, left open
            }
            for (int id : cluster.liveIds()) {
                PartitionLog log = log(cluster.broker(id));
                await().atMost(Duration.ofSeconds(30)).until(() -> log.highWatermark() == 5);
                assertThat(log.abortedTxns()).as("broker %d", id).containsExactly(new AbortedTxn(aborted, 0, 2, 3));
                assertThat(log.lastStableOffset()).as("broker %d", id).isEqualTo(4);
            }

            cluster.stopBroker(leader);
            int newLeader = cluster.awaitLeader(TP);
            assertThat(newLeader).isNotEqualTo(leader);
            try (RawConnection raw = new RawConnection(cluster.broker(newLeader).port())) {
                FetchResponseData.PartitionData committed = RawTxn.fetch(raw, TP, 0, IsolationLevel.READ_COMMITTED);
                assertThat(committed.lastStableOffset()).isEqualTo(4);
                assertThat(RawTxn.offsets(committed)).containsExactly(0L, 1L, 2L, 3L);
                assertThat(committed.abortedTransactions())
                        .containsExactly(
                                new AbortedTransaction().setProducerId(aborted).setFirstOffset(0));
                assertThat(RawTxn.writeMarker(raw, TP, open, (short) 0, 0, true))
                        .isEqualTo(Errors.NONE); // 5
                assertThat(RawTxn.fetch(raw, TP, 4, IsolationLevel.READ_COMMITTED)
                                .lastStableOffset())
                        .isEqualTo(6);
            }
        }
    }
}
