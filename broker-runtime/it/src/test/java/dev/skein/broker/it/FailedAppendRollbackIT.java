package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An append whose bytes reached the segment but whose indexing then failed — here because the offset index was
 * corrupted on disk under the running broker — is rolled back, so the next append does not publish its bytes as an
 * orphan batch with stale offsets.
 */
class FailedAppendRollbackIT {
    private static final String TOPIC = "faulty";

    @TempDir
    Path dataDir;

    @Test
    void appendThatFailsWhileIndexingLeavesNoBytesForTheNextAppendToPublish() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir)) {
            harness.createTopic(TOPIC, 1, Map.of("index.interval.bytes", "0"));
            Path partitionDir = dataDir.resolve(TOPIC + "-0");
            Path logFile = partitionDir.resolve(String.format("%020d.log", 0));
            Path indexFile = partitionDir.resolve(String.format("%020d.index", 0));
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                assertThat(send(raw, "a").baseOffset()).isZero();
                assertThat(send(raw, "b").baseOffset()).isEqualTo(1); // writes the index's first entry
                long logBytes = Files.size(logFile);

                try (RandomAccessFile index = new RandomAccessFile(indexFile.toFile(), "rw")) {
                    // Corrupt that entry on disk (the index is mapped shared): its relative offset now lies beyond
                    // any batch, so indexing the next append throws after the segment took its bytes.
                    index.writeInt(Integer.MAX_VALUE);
                }
                PartitionProduceResponse failed = send(raw, "lost");
                assertThat(Errors.forCode(failed.errorCode())).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
                assertThat(Files.size(logFile)).isEqualTo(logBytes);

                PartitionProduceResponse next = send(raw, "c");
                assertThat(Errors.forCode(next.errorCode())).isEqualTo(Errors.NONE);
                assertThat(next.baseOffset()).isEqualTo(2);
            }
            assertThat(readAll(harness)).containsExactly("a", "b", "c");
        }
    }

    private static PartitionProduceResponse send(RawConnection raw, String value) throws Exception {
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8)));
        return RawProduce.produce(raw, TOPIC, RawProduce.copy(records));
    }

    private static List<String> readAll(BrokerHarness harness) {
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of());
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (values.size() < 3 && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
        return values;
    }
}
