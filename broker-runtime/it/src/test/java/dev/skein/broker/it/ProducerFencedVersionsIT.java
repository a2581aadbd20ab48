package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fenced producer epoch through every version of the transaction APIs, as Kafka answers it: PRODUCER_FENCED (error
 * 90, KIP-588) only to the versions that know it, INVALID_PRODUCER_EPOCH to older ones (InitProducerId below v4,
 * AddPartitionsToTxn, AddOffsetsToTxn and EndTxn below v2). kafkajs 2.2.4 speaks the old versions: it reported a
 * transaction fenced by a timeout abort after a coordinator crash as "Unknown error code 90".
 */
class ProducerFencedVersionsIT {
    private static final String TOPIC = "fenced-data";
    private static final String ID = "old-client";

    @TempDir
    Path dataDir;

    private BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of());
        harness.createTopic(TOPIC, 1, Map.of());
        TxnRequests.awaitCoordinator(harness.broker().port(), ID);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void aFencedEpochIsInvalidProducerEpochForVersionsBeforeProducerFenced() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            InitProducerIdResponse first = TxnRequests.init(raw, ID, 60_000, -1, (short) -1);
            long pid = first.data().producerId();
            short fenced = first.data().producerEpoch();
            short current =
                    TxnRequests.init(raw, ID, 60_000, -1, (short) -1).data().producerEpoch();
            assertThat(current).isGreaterThan(fenced);
            for (short v = 3; v <= 5; v++) {
                InitProducerIdResponse init = (InitProducerIdResponse)
                        raw.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                                        .setTransactionalId(ID)
                                        .setTransactionTimeoutMs(60_000)
                                        .setProducerId(pid)
                                        .setProducerEpoch(fenced))
                                .build(v));
                assertThat(init.error())
                        .as("InitProducerId v%d", v)
                        .isEqualTo(v < 4 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED);
            }
            assertThat(TxnRequests.addPartitions(raw, ID, pid, current, List.of(tp)))
                    .containsEntry(tp, Errors.NONE);

            for (short v = 0; v <= 3; v++) {
                Errors expected = v < 2 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED;
                AddPartitionsToTxnResponse add = (AddPartitionsToTxnResponse)
                        raw.send(AddPartitionsToTxnRequest.Builder.forClient(ID, pid, fenced, List.of(tp))
                                .build(v));
                assertThat(add.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID))
                        .as("AddPartitionsToTxn v%d", v)
                        .containsEntry(tp, expected);
                AddOffsetsToTxnResponse offsets = (AddOffsetsToTxnResponse)
                        raw.send(new AddOffsetsToTxnRequest.Builder(new AddOffsetsToTxnRequestData()
                                        .setTransactionalId(ID)
                                        .setProducerId(pid)
                                        .setProducerEpoch(fenced)
                                        .setGroupId("g"))
                                .build(v));
                assertThat(Errors.forCode(offsets.data().errorCode()))
                        .as("AddOffsetsToTxn v%d", v)
                        .isEqualTo(expected);
                EndTxnResponse end = (EndTxnResponse) raw.send(new EndTxnRequest.Builder(
                                new EndTxnRequestData()
                                        .setTransactionalId(ID)
                                        .setProducerId(pid)
                                        .setProducerEpoch(fenced)
                                        .setCommitted(true),
                                false)
                        .build(v));
                assertThat(end.error()).as("EndTxn v%d", v).isEqualTo(expected);
            }
        }
    }
}
