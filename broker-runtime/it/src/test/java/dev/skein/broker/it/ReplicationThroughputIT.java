package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Produce throughput with acks=all on a replication-factor-3 topic versus replication factor 1, three in-process
 * brokers on one machine. Prints the rates; asserts only that every record was acknowledged.
 */
@Tag("slow")
class ReplicationThroughputIT {
    private static final int RECORDS = 300_000;
    private static final byte[] VALUE = new byte[100];

    @TempDir
    Path dir;

    @Test
    void acksAllThroughputWithReplicationFactorThreeVersusOne() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 3, Map.of())) {
            cluster.createTopic("rf1", 1, 1, Map.of());
            cluster.createTopic("rf3", 1, 3, Map.of("min.insync.replicas", "2"));
            KafkaProducer<byte[], byte[]> producer = cluster.producer(
                    Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024));
            produce(producer, "rf1", RECORDS / 10);
            produce(producer, "rf3", RECORDS / 10);
            double rf1 = produce(producer, "rf1", RECORDS);
            double rf3 = produce(producer, "rf3", RECORDS);
            System.out.printf(
                    "acks=all, 100-byte records: RF1 %.0f records/s, RF3 %.0f records/s (%.0f%%)%n",
                    rf1, rf3, 100 * rf3 / rf1);
        }
    }

    private static double produce(KafkaProducer<byte[], byte[]> producer, String topic, int count) {
        AtomicLong acknowledged = new AtomicLong();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, 0, null, VALUE), (metadata, error) -> {
                if (error == null) {
                    acknowledged.incrementAndGet();
                }
            });
        }
        producer.flush();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(acknowledged.get()).isEqualTo(count);
        return count / seconds;
    }
}
