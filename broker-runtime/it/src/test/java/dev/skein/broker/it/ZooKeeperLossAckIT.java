package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader cut off from ZooKeeper may already have been replaced without hearing of it: it must not acknowledge
 * acks=all writes until it is connected again (a real producer sees the timeout, then success).
 */
class ZooKeeperLossAckIT {
    @TempDir
    Path dir;

    @Test
    void leaderWithoutZooKeeperDoesNotAcknowledgeAcksAll() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 1, Map.of())) {
            TopicPartition tp = new TopicPartition("cut-off", 0);
            cluster.createTopic(tp.topic(), 1, 1, Map.of());
            cluster.awaitLeader(tp);
            KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000,
                    ProducerConfig.LINGER_MS_CONFIG, 0));
            producer.send(record(tp, "before")).get(30, TimeUnit.SECONDS);

            cluster.stopZooKeeper();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (cluster.broker(1).partitions().metadataSessionLive()) {
                assertThat(System.nanoTime())
                        .as("broker notices the lost connection")
                        .isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThatThrownBy(() -> producer.send(record(tp, "during")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TimeoutException.class);

            cluster.restartZooKeeper();
            assertThat(producer.send(record(tp, "after"))
                            .get(30, TimeUnit.SECONDS)
                            .offset())
                    .isGreaterThan(0);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(TopicPartition tp, String value) {
        return new ProducerRecord<>(tp.topic(), tp.partition(), null, value.getBytes(StandardCharsets.UTF_8));
    }
}
