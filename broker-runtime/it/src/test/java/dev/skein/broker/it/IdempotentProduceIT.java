package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent produce as the Java producer does it on retry, with exact control over producer id, epoch and
 * sequence: a retried batch is acknowledged with its original offset and stored once, also across a restart.
 */
class IdempotentProduceIT {
    private static final String TOPIC = "idempotent";

    @TempDir
    Path dataDir;

    BrokerHarness harness;
    Uuid topicId;
    long producerId;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic(TOPIC, 1, Map.of());
        topicId = harness.admin()
                .describeTopics(List.of(TOPIC))
                .allTopicNames()
                .get()
                .get(TOPIC)
                .topicId();
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            InitProducerIdResponse init =
                    (InitProducerIdResponse) raw.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                                    .setTransactionalId(null)
                                    .setTransactionTimeoutMs(60000))
                            .build((short) 4));
            assertThat(init.error()).isEqualTo(Errors.NONE);
            producerId = init.data().producerId();
        }
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void retriedBatchIsStoredOnceAndAcknowledgedWithItsOriginalOffset() throws Exception {
        assertThat(produce((short) 0, 0, "a", "b").baseOffset()).isZero();
        assertThat(produce((short) 0, 2, "c").baseOffset()).isEqualTo(2);
        PartitionProduceResponse retry = produce((short) 0, 0, "a", "b");
        assertThat(Errors.forCode(retry.errorCode())).isEqualTo(Errors.NONE);
        assertThat(retry.baseOffset()).isZero();
        assertThat(endOffset()).isEqualTo(3);

        harness.restart();
        PartitionProduceResponse afterRestart = produce((short) 0, 2, "c");
        assertThat(afterRestart.baseOffset()).isEqualTo(2);
        assertThat(endOffset()).isEqualTo(3);
    }

    @Test
    void sequenceGapIsRefusedAndOldEpochIsFenced() throws Exception {
        produce((short) 1, 0, "first");
        assertThat(Errors.forCode(produce((short) 1, 5, "gap").errorCode()))
                .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(Errors.forCode(produce((short) 0, 1, "zombie").errorCode()))
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(endOffset()).isEqualTo(1);
    }

    private PartitionProduceResponse produce(short epoch, int sequence, String... values) throws Exception {
        return RawProduce.idempotentAcksAll(
                harness.broker().port(), TOPIC, topicId, producerId, epoch, sequence, 5000, values);
    }

    private long endOffset() {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        return harness.consumer(Map.of()).endOffsets(List.of(tp)).get(tp);
    }
}
