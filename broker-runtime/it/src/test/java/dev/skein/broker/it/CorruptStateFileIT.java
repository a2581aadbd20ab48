package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A broker whose state file ({@code broker-state.db}: recovery points, high watermarks, leader epochs, producer
 * snapshots) is damaged while it is down, as a kill -9 soon after the disk filled up left it in the fault suite,
 * still starts: the file is moved aside and every log is recovered from its segments, so every acknowledged record is
 * read back at its offset and an idempotent producer's retry is still recognised as a duplicate.
 */
class CorruptStateFileIT {
    private static final String TOPIC = "state";
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 3000;

    @TempDir
    Path dataDir;

    /** Ways the file is found damaged. */
    enum Damage {
        TRUNCATED_TO_HALF,
        ZERO_FILLED_TAIL,
        RANDOM_BYTES;

        void apply(Path file) throws IOException {
            long size = Files.size(file);
            assertThat(size).as("state file size").isGreaterThan(64);
            switch (this) {
                case TRUNCATED_TO_HALF -> {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.truncate(size / 2);
                    }
                }
                case ZERO_FILLED_TAIL -> {
                    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        channel.write(ByteBuffer.allocate((int) (size - size / 2)), size / 2);
                    }
                }
                case RANDOM_BYTES -> {
                    byte[] junk = new byte[(int) size];
                    new Random(16).nextBytes(junk);
                    Files.write(file, junk);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void unreadableStateFileIsSetAsideAndEveryAcknowledgedRecordSurvives(Damage damage) throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir)) {
            harness.createTopic(TOPIC, PARTITIONS, Map.of());
            Map<TopicPartition, Map<Long, String>> acknowledged = produce(harness);
            long producerId;
            PartitionProduceResponse original;
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                producerId = RawProduce.initProducerId(raw);
                original = RawProduce.produce(raw, TOPIC, idempotentBatch(producerId, 0, "a", "b"));
            }
            assertThat(RawProduce.error(original)).isEqualTo(Errors.NONE);
            acknowledged.get(new TopicPartition(TOPIC, 0)).put(original.baseOffset(), "a");
            Map<TopicPartition, Long> endsBefore = endOffsets(harness);

            harness.restart(() -> damage.apply(dataDir.resolve("broker-state.db")));

            assertThat(setAsideFiles()).as("state file moved aside").isNotEmpty();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> endOffsets(harness).equals(endsBefore));
            for (Map.Entry<TopicPartition, Map<Long, String>> partition : acknowledged.entrySet()) {
                Map<Long, String> read = readAll(harness, partition.getKey(), endsBefore.get(partition.getKey()));
                assertThat(read).as("records of %s", partition.getKey()).containsAllEntriesOf(partition.getValue());
            }
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                PartitionProduceResponse retry =
                        RawProduce.produce(raw, TOPIC, idempotentBatch(producerId, 0, "a", "b"));
                assertThat(RawProduce.error(retry)).isEqualTo(Errors.NONE);
                assertThat(retry.baseOffset())
                        .as("retry answered as a duplicate")
                        .isEqualTo(original.baseOffset());
                PartitionProduceResponse next = RawProduce.produce(raw, TOPIC, idempotentBatch(producerId, 2, "c"));
                assertThat(RawProduce.error(next)).isEqualTo(Errors.NONE);
                assertThat(next.baseOffset()).isEqualTo(endsBefore.get(new TopicPartition(TOPIC, 0)));
            }
        }
    }

    private Map<TopicPartition, Map<Long, String>> produce(BrokerHarness harness) throws Exception {
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            String value = "value-" + i;
            values.add(value);
            sends.add(producer.send(
                    new ProducerRecord<>(TOPIC, i % PARTITIONS, null, value.getBytes(StandardCharsets.UTF_8))));
        }
        Map<TopicPartition, Map<Long, String>> acknowledged = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            RecordMetadata metadata = sends.get(i).get();
            acknowledged
                    .computeIfAbsent(new TopicPartition(TOPIC, metadata.partition()), tp -> new HashMap<>())
                    .put(metadata.offset(), values.get(i));
        }
        return acknowledged;
    }

    private static ByteBuffer idempotentBatch(long producerId, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return RawProduce.copy(
                MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, sequence, records));
    }

    private static Map<TopicPartition, Long> endOffsets(BrokerHarness harness) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of())) {
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }

    private static Map<Long, String> readAll(BrokerHarness harness, TopicPartition tp, long end) {
        Map<Long, String> read = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of("max.poll.records", 5000))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(read.put(record.offset(), new String(record.value(), StandardCharsets.UTF_8)))
                            .as("offset %d read twice", record.offset())
                            .isNull();
                }
            }
        }
        assertThat(read).as("records read from %s", tp).hasSize((int) end);
        return read;
    }

    private List<Path> setAsideFiles() throws IOException {
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("broker-state.db.corrupt-"))
                    .toList();
        }
    }
}
