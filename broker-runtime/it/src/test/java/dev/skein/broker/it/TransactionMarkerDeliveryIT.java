package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Markers on a single broker with a real transactional producer: its coordinator writes them to its own partitions
 * by a direct call, never as WriteTxnMarkers through its own listener, and every transaction over 16 partitions is
 * complete and visible to a {@code read_committed} reader.
 */
class TransactionMarkerDeliveryIT {
    private static final String TOPIC = "txn-16";
    private static final int PARTITIONS = 16;

    @TempDir
    Path dir;

    private BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dir);
        harness.createTopic(TOPIC, PARTITIONS, Map.of());
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void theCoordinatorWritesItsOwnBrokersMarkersWithoutARequest() {
        int transactions = 20;
        try (KafkaProducer<byte[], byte[]> producer =
                harness.producer(Map.of("transactional.id", "local-markers", "linger.ms", 0))) {
            producer.initTransactions();
            for (int t = 0; t < transactions; t++) {
                producer.beginTransaction();
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(
                            TOPIC, p, null, ("t" + t + "-p" + p).getBytes(StandardCharsets.UTF_8)));
                }
                if (t % 5 == 4) {
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }

        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = harness.consumer(Map.of("isolation.level", "read_committed"))) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                all.add(new TopicPartition(TOPIC, p));
            }
            reader.assign(all);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 16 * PARTITIONS && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    seen.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        for (int p = 0; p < PARTITIONS; p++) {
            PartitionLog log = harness.broker()
                    .partitions()
                    .get(new TopicPartition(TOPIC, p))
                    .orElseThrow()
                    .log();
            assertThat(log.lastStableOffset())
                    .as("partition %d: every transaction ended with its marker", p)
                    .isEqualTo(log.logEndOffset());
        }
        assertThat(seen).hasSize(16 * PARTITIONS).noneMatch(v -> v.startsWith("t4-") || v.startsWith("t19-"));
        assertThat(harness.broker()
                        .metrics()
                        .requests(ApiKeys.WRITE_TXN_MARKERS)
                        .count())
                .as("markers for this broker's own partitions never go through its listener")
                .isZero();
    }
}
