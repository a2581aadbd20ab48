package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code transaction.version} 2 Java producer running many short transactions back to back, with seeded random
 * commits and aborts, aborts with and without a flush first, over several partitions: on a healthy broker no
 * transaction may fail, and a {@code read_committed} reader sees exactly the committed records. (An abort of records
 * never sent, right after the previous end, met the previous markers still in flight and was fenced.)
 */
class TransactionVersionTwoLoopIT {
    private static final String TOPIC = "loop";

    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic(TOPIC, 3, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void backToBackTransactionsWithRandomAbortsNeverFail() {
        Random random = new Random(42);
        List<String> failures = new ArrayList<>();
        List<String> committed = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "loop",
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000))) {
            producer.initTransactions();
            for (int txn = 0; txn < 300; txn++) {
                try {
                    producer.beginTransaction();
                    int records = 1 + random.nextInt(6);
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i < records; i++) {
                        values.add("t" + txn + "-" + i);
                        producer.send(new ProducerRecord<>(
                                TOPIC, random.nextInt(3), null, values.get(i).getBytes(StandardCharsets.UTF_8)));
                    }
                    int decision = random.nextInt(3);
                    if (decision == 0) {
                        if (random.nextBoolean()) {
                            producer.flush();
                        }
                        producer.abortTransaction();
                    } else {
                        producer.commitTransaction();
                        committed.addAll(values);
                    }
                } catch (RuntimeException e) {
                    failures.add("transaction " + txn + ": " + e);
                    break;
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(readCommitted()).containsExactlyInAnyOrderElementsOf(committed);
    }

    private List<String> readCommitted() {
        List<TopicPartition> partitions =
                List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1), new TopicPartition(TOPIC, 2));
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                harness.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Awaitility.await("read_committed reaches the end")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(100))
                                .forEach(r -> read.add(new String(r.value(), StandardCharsets.UTF_8)));
                        return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                    });
        }
        return read;
    }
}
