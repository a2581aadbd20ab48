package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java producer's transactional handshake against a real broker: {@code initTransactions()} finds the transaction
 * coordinator and gets a producer id; a second producer with the same {@code transactional.id} fences the first, whose
 * next transaction's first batch is fenced (InvalidProducerEpochException under {@code transaction.version} 2); the Admin client describes and lists the id.
 */
class TransactionalProducerFencingIT {
    private static final String TOPIC = "fenced";

    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic(TOPIC, 1, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    private KafkaProducer<byte[], byte[]> transactional(String id) {
        return harness.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000));
    }

    @Test
    void secondInstanceFencesTheFirst() throws Exception {
        KafkaProducer<byte[], byte[]> first = transactional("app");
        first.initTransactions();
        KafkaProducer<byte[], byte[]> second = transactional("app");
        second.initTransactions();

        first.beginTransaction();
        // transaction.version 2: no AddPartitionsToTxn; the leader's add is refused PRODUCER_FENCED by the coordinator,
        // which a produce answers INVALID_PRODUCER_EPOCH (Kafka 4.4's AddPartitionsToTxnManager maps it the same way).
        assertThatThrownBy(() -> first.send(new ProducerRecord<>(TOPIC, "zombie".getBytes()))
                        .get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InvalidProducerEpochException.class);

        TransactionDescription described = harness.admin()
                .describeTransactions(List.of("app"))
                .description("app")
                .get();
        assertThat(described.coordinatorId()).isEqualTo(0);
        assertThat(described.producerEpoch()).isEqualTo(1);
        assertThat(described.transactionTimeoutMs()).isEqualTo(30_000);
        assertThat(described.state()).isEqualTo(org.apache.kafka.clients.admin.TransactionState.EMPTY);
        assertThat(harness.admin().listTransactions().all().get())
                .extracting(TransactionListing::transactionalId)
                .contains("app");
    }
}
