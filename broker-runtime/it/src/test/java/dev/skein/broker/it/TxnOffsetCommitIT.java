package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TxnOffsetCommit on the wire, every version of kafka-clients 4.4 (v6 by topic id): the offsets are pending until the
 * transaction's marker is written to the group's {@code __consumer_offsets} partition (WriteTxnMarkers, as the
 * transaction coordinator sends it), and OffsetFetch with {@code require_stable} answers UNSTABLE_OFFSET_COMMIT
 * meanwhile; an open transaction stays pending across a broker restart. The transaction coordinator's verification is
 * scripted ({@link ScriptedVerifier}).
 */
class TxnOffsetCommitIT {
    private static final String TOPIC = "input";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final TopicPartition OFFSETS = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0);

    @TempDir
    Path dir;

    private final ScriptedVerifier verifier = new ScriptedVerifier();
    private BrokerHarness harness;
    private Uuid topicId;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dir, Map.of("offsets.topic.num.partitions", "1"), verifier);
        harness.createTopic(TOPIC, 1, Map.of());
        Admin admin = harness.admin();
        topicId = admin.describeTopics(List.of(TOPIC))
                .allTopicNames()
                .get()
                .get(TOPIC)
                .topicId();
        // creates __consumer_offsets and waits until its only partition is loaded
        admin.listConsumerGroupOffsets("warm-up")
                .partitionsToOffsetAndMetadata()
                .get();
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private Errors txnCommit(RawConnection raw, short version, String group, long producerId, short epoch, long offset)
            throws Exception {
        TxnOffsetCommitRequestTopic topic = new TxnOffsetCommitRequestTopic()
                .setPartitions(List.of(new TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(0)
                        .setCommittedOffset(offset)
                        .setCommittedLeaderEpoch(0)
                        .setCommittedMetadata("m")));
        if (version >= 6) {
            topic.setTopicId(topicId);
        } else {
            topic.setName(TOPIC);
        }
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData()
                .setTransactionalId("txn-" + group)
                .setGroupId(group)
                .setProducerId(producerId)
                .setProducerEpoch(epoch)
                .setTopics(List.of(topic));
        TxnOffsetCommitResponse response = (TxnOffsetCommitResponse) raw.send(
                TxnOffsetCommitRequest.Builder.forTopicIdsOrNames(data, true).build(version));
        return Errors.forCode(
                response.data().topics().get(0).partitions().get(0).errorCode());
    }

    /** The group's offset of {@link #TP} through OffsetFetch v8 with {@code require_stable}. */
    private static OffsetFetchResponsePartitions stableFetch(RawConnection raw, String group) throws Exception {
        OffsetFetchRequestData data = new OffsetFetchRequestData()
                .setRequireStable(true)
                .setGroups(List.of(new OffsetFetchRequestGroup()
                        .setGroupId(group)
                        .setTopics(List.of(
                                new OffsetFetchRequestTopics().setName(TOPIC).setPartitionIndexes(List.of(0))))));
        OffsetFetchResponse response = (OffsetFetchResponse)
                raw.send(OffsetFetchRequest.Builder.forTopicNames(data, true).build((short) 8));
        return response.data().groups().get(0).topics().get(0).partitions().get(0);
    }

    @Test
    void everyVersionCommitsOffsetsThatStayPendingUntilTheCommitMarker() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            for (short v = ApiKeys.TXN_OFFSET_COMMIT.oldestVersion();
                    v <= ApiKeys.TXN_OFFSET_COMMIT.latestVersion();
                    v++) {
                String group = "group-v" + v;
                long producerId = 100 + v;
                assertThat(txnCommit(raw, v, group, producerId, (short) 1, 40 + v))
                        .as("v%d", v)
                        .isEqualTo(Errors.NONE);
                ScriptedVerifier.Call asked = verifier.calls.get(verifier.calls.size() - 1);
                assertThat(asked.partition()).isEqualTo(OFFSETS);
                assertThat(asked.add()).as("KIP-890 part 2 from v5").isEqualTo(v >= 5);

                OffsetFetchResponsePartitions pending = stableFetch(raw, group);
                assertThat(Errors.forCode(pending.errorCode())).as("v%d", v).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
                assertThat(pending.committedOffset()).isEqualTo(-1);

                assertThat(RawTxn.writeMarker(raw, OFFSETS, producerId, (short) 1, 0, true))
                        .isEqualTo(Errors.NONE);
                OffsetFetchResponsePartitions committed = stableFetch(raw, group);
                assertThat(Errors.forCode(committed.errorCode())).isEqualTo(Errors.NONE);
                assertThat(committed.committedOffset()).as("v%d", v).isEqualTo(40 + v);
                assertThat(committed.metadata()).isEqualTo("m");
            }
        }
    }

    @Test
    void abortMarkerDropsTheOffsetsAndAnOlderEpochIsFenced() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            short v = ApiKeys.TXN_OFFSET_COMMIT.latestVersion();
            assertThat(txnCommit(raw, v, "g", 7, (short) 3, 10)).isEqualTo(Errors.NONE);
            assertThat(RawTxn.writeMarker(raw, OFFSETS, 7, (short) 3, 0, true)).isEqualTo(Errors.NONE);
            assertThat(txnCommit(raw, v, "g", 7, (short) 3, 20)).isEqualTo(Errors.NONE);
            assertThat(RawTxn.writeMarker(raw, OFFSETS, 7, (short) 3, 0, false)).isEqualTo(Errors.NONE);

            OffsetFetchResponsePartitions after = stableFetch(raw, "g");
            assertThat(Errors.forCode(after.errorCode())).isEqualTo(Errors.NONE);
            assertThat(after.committedOffset()).as("the aborted 20 vanished").isEqualTo(10);
            assertThat(txnCommit(raw, v, "g", 7, (short) 2, 30))
                    .as("a zombie of an older epoch")
                    .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        }
    }

    @Test
    void theTransactionCoordinatorsRefusalIsAnswered() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            verifier.answer = Errors.CONCURRENT_TRANSACTIONS;
            assertThat(txnCommit(raw, (short) 4, "g", 7, (short) 0, 10)).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
            verifier.answer = Errors.PRODUCER_FENCED;
            assertThat(txnCommit(raw, (short) 4, "g", 7, (short) 0, 10)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
            verifier.answer = Errors.TRANSACTION_ABORTABLE;
            assertThat(txnCommit(raw, (short) 3, "g", 7, (short) 0, 10)).isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(txnCommit(raw, (short) 4, "g", 7, (short) 0, 10)).isEqualTo(Errors.TRANSACTION_ABORTABLE);
            verifier.answer = Errors.INVALID_PRODUCER_ID_MAPPING;
            assertThat(txnCommit(raw, (short) 4, "g", 7, (short) 0, 10)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);

            OffsetFetchResponsePartitions nothing = stableFetch(raw, "g");
            assertThat(Errors.forCode(nothing.errorCode())).isEqualTo(Errors.NONE);
            assertThat(nothing.committedOffset()).as("nothing was written").isEqualTo(-1);
        }
    }

    @Test
    void anOpenTransactionStaysPendingAcrossARestartAndItsMarkerThenMaterializesIt() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            assertThat(txnCommit(raw, (short) 3, "g", 7, (short) 0, 10)).isEqualTo(Errors.NONE);
            assertThat(RawTxn.writeMarker(raw, OFFSETS, 7, (short) 0, 0, true)).isEqualTo(Errors.NONE);
            assertThat(txnCommit(raw, (short) 3, "g", 8, (short) 0, 20)).isEqualTo(Errors.NONE);
        }
        harness.restart();
        harness.admin()
                .listConsumerGroupOffsets("warm-up")
                .partitionsToOffsetAndMetadata()
                .get();
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            OffsetFetchResponsePartitions reloaded = stableFetch(raw, "g");
            assertThat(Errors.forCode(reloaded.errorCode())).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
            assertThat(RawTxn.writeMarker(raw, OFFSETS, 8, (short) 0, 0, true)).isEqualTo(Errors.NONE);
            OffsetFetchResponsePartitions committed = stableFetch(raw, "g");
            assertThat(Errors.forCode(committed.errorCode())).isEqualTo(Errors.NONE);
            assertThat(committed.committedOffset()).isEqualTo(20);
        }
    }
}
