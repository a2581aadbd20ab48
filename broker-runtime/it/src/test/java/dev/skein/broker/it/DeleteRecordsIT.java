package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin.deleteRecords moves the log start offset: earlier records are gone, also after a restart. */
class DeleteRecordsIT {
    private static final String TOPIC = "purged";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @TempDir
    Path dataDir;

    @Test
    void recordsBeforeTheOffsetAreGoneAndWholeSegmentsAreDeleted() throws Exception {
        // Tiny segments so that whole ones get deleted; clients may set them only below a lowered floor.
        try (BrokerHarness harness = BrokerHarness.start(dataDir, Map.of("skein.topic.segment.bytes.min", "1024"))) {
            harness.createTopic(TOPIC, 1, Map.of("segment.bytes", "4096"));
            KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of("linger.ms", 0, "batch.size", 200));
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>(TOPIC, ClientRoundTripIT.value(i)))
                        .get();
            }
            long segmentsBefore = segmentFiles();
            Admin admin = harness.admin();
            long low = admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(150)))
                    .lowWatermarks()
                    .get(TP)
                    .get()
                    .lowWatermark();
            assertThat(low).isEqualTo(150);
            assertThat(segmentFiles()).isLessThan(segmentsBefore);
            assertThat(firstOffsetRead(harness)).isEqualTo(150);

            KafkaConsumer<byte[], byte[]> strict = harness.consumer(Map.of("auto.offset.reset", "none"));
            strict.assign(List.of(TP));
            strict.seek(TP, 10);
            assertThatThrownBy(() -> strict.poll(Duration.ofSeconds(10))).isInstanceOf(OffsetOutOfRangeException.class);

            assertThatThrownBy(() -> admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(1_000)))
                            .all()
                            .get())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);

            harness.restart();
            assertThat(harness.consumer(Map.of()).beginningOffsets(List.of(TP)).get(TP))
                    .isEqualTo(150);
            assertThat(firstOffsetRead(harness)).isEqualTo(150);
        }
    }

    private long firstOffsetRead(BrokerHarness harness) {
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of());
        consumer.assign(List.of(TP));
        consumer.seekToBeginning(List.of(TP));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                return record.offset();
            }
        }
        throw new AssertionError("nothing read from " + TP);
    }

    private long segmentFiles() throws Exception {
        try (Stream<Path> files = Files.list(dataDir.resolve(TOPIC + "-0"))) {
            return files.filter(p -> p.toString().endsWith(".log")).count();
        }
    }
}
