package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that names another idempotent producer's id with epoch+1 (sequence 0) must not fence that producer. Kafka
 * 4.4 accepts such a batch from anyone (its {@code ProducerAppendInfo} only requires sequence 0 for a new epoch), after
 * which the real producer's batches fail with INVALID_PRODUCER_EPOCH and a retried batch may be taken for a duplicate
 * of the intruder's. Skein binds an epoch to the client address that opened it in the partition: the intruder, from
 * another address (127.0.0.2), gets INVALID_PRODUCER_EPOCH, and a producer bumping its own epoch (what the Java
 * producer does by itself after a failed batch) still can.
 */
class ProducerEpochBumpIT {
    private static final TopicPartition TP = new TopicPartition("epochs", 0);

    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic(TP.topic(), 1, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void guessedProducerIdWithNextEpochDoesNotFenceTheRealProducer() throws Exception {
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                0));
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(send(producer, "real-" + i));
        }
        RecordBatch real = firstBatch();
        assertThat(real.hasProducerId()).isTrue();

        try (RawConnection intruder = new RawConnection(harness.broker().port(), InetAddress.getByName("127.0.0.2"))) {
            ByteBuffer bump = RawProduce.copy(MemoryRecords.withIdempotentRecords(
                    Compression.NONE,
                    real.producerId(),
                    (short) (real.producerEpoch() + 1),
                    0,
                    AbusiveRequests.record("intruder")));
            assertThat(RawProduce.error(RawProduce.produce(intruder, TP.topic(), bump)))
                    .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        }

        for (int i = 5; i < 10; i++) {
            sent.add(send(producer, "real-" + i));
        }
        assertThat(readAll(sent.size())).containsExactlyElementsOf(sent);
    }

    @Test
    void producerMayBumpItsOwnEpochWithoutInitProducerId() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            long producerId = RawProduce.initProducerId(raw);
            for (short epoch = 0; epoch < 3; epoch++) {
                ByteBuffer batch = RawProduce.copy(MemoryRecords.withIdempotentRecords(
                        Compression.NONE, producerId, epoch, 0, AbusiveRequests.record("own-" + epoch)));
                assertThat(RawProduce.error(RawProduce.produce(raw, TP.topic(), batch)))
                        .as("epoch %d", epoch)
                        .isEqualTo(Errors.NONE);
            }
        }
    }

    private static String send(KafkaProducer<byte[], byte[]> producer, String value) throws Exception {
        producer.send(new ProducerRecord<>(TP.topic(), TP.partition(), null, value.getBytes(StandardCharsets.UTF_8)))
                .get(30, TimeUnit.SECONDS);
        return value;
    }

    /** The first batch of the partition, read with a raw Fetch (it carries the producer id and epoch). */
    private RecordBatch firstBatch() throws Exception {
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            Map<TopicPartition, FetchRequest.PartitionData> wanted =
                    Map.of(TP, new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0L, 0L, 1 << 20, Optional.empty()));
            FetchResponse response = (FetchResponse) raw.send(
                    FetchRequest.Builder.forConsumer((short) 12, 0, 0, wanted).build((short) 12));
            MemoryRecords records = (MemoryRecords)
                    response.data().responses().get(0).partitions().get(0).records();
            return records.batches().iterator().next();
        }
    }

    private List<String> readAll(int expected) {
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of());
        consumer.assign(List.of(TP));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        // one more poll: nothing beyond the producer's records
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
        return values;
    }
}
