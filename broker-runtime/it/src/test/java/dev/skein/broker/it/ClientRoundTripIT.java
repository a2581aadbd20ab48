package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Unmodified Java producer and consumer against a real broker over TCP. */
class ClientRoundTripIT {
    /** Records per codec run; the slow profile raises it to 1,000,000. */
    static final int RECORDS = Integer.getInteger("skein.test.records", 20_000);

    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void startBroker() throws Exception {
        harness = BrokerHarness.start(dataDir);
    }

    @AfterEach
    void stopBroker() throws Exception {
        harness.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyRecordComesBackInOrderWithEachCodec(String codec) throws Exception {
        String topic = "round-trip-" + codec;
        harness.createTopic(topic, 1, Map.of());
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                codec,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.BATCH_SIZE_CONFIG,
                64 * 1024));
        for (int i = 0; i < RECORDS; i++) {
            producer.send(new ProducerRecord<>(topic, key(i), value(i)));
        }
        producer.flush();

        List<ConsumerRecord<byte[], byte[]>> records = consumeAll(new TopicPartition(topic, 0), RECORDS);
        assertThat(records).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            assertThat(record.offset()).isEqualTo(i);
            assertThat(record.key()).isEqualTo(key(i));
            assertThat(record.value()).isEqualTo(value(i));
        }
    }

    @Test
    void keysLandOnTheDefaultPartitionersPartition() throws Exception {
        String topic = "keyed";
        int partitions = 6;
        harness.createTopic(topic, partitions, Map.of());
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of());
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, key(i % 60), value(i))));
        }
        producer.flush();
        for (int i = 0; i < sent.size(); i++) {
            int expected = Utils.toPositive(Utils.murmur2(key(i % 60))) % partitions;
            assertThat(sent.get(i).get().partition()).isEqualTo(expected);
        }
        int total = 0;
        for (int p = 0; p < partitions; p++) {
            for (ConsumerRecord<byte[], byte[]> record : consumeAvailable(new TopicPartition(topic, p))) {
                assertThat(Utils.toPositive(Utils.murmur2(record.key())) % partitions)
                        .isEqualTo(p);
                total++;
            }
        }
        assertThat(total).isEqualTo(600);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksSettingDelivers(String acks) throws Exception {
        String topic = "acks-" + acks;
        harness.createTopic(topic, 1, Map.of());
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        if (!acks.equals("all")) {
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        }
        KafkaProducer<byte[], byte[]> producer = harness.producer(config);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, value(i))));
        }
        producer.flush();
        RecordMetadata last = sent.get(sent.size() - 1).get();
        if (!acks.equals("0")) {
            assertThat(last.offset()).isEqualTo(999);
        }
        assertThat(consumeAll(new TopicPartition(topic, 0), 1000))
                .extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 1000)
                        .mapToObj(ClientRoundTripIT::value)
                        .toList());
    }

    @Test
    void restartKeepsEveryRecordAndOffset() throws Exception {
        String topic = "durable";
        harness.createTopic(topic, 2, Map.of());
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of());
        for (int i = 0; i < 2000; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, key(i), value(i)));
        }
        producer.flush();
        harness.restart();
        for (int p = 0; p < 2; p++) {
            List<ConsumerRecord<byte[], byte[]>> records = consumeAll(new TopicPartition(topic, p), 1000);
            assertThat(records).hasSize(1000);
            for (int j = 0; j < 1000; j++) {
                assertThat(records.get(j).offset()).isEqualTo(j);
                assertThat(records.get(j).value()).isEqualTo(value(2 * j + p));
            }
        }
        // The log keeps growing from where it stopped.
        RecordMetadata next = harness.producer(Map.of())
                .send(new ProducerRecord<>(topic, 0, key(0), value(0)))
                .get();
        assertThat(next.offset()).isEqualTo(1000);
    }

    @Test
    void offsetsForTimesFindsTheFirstRecordAtOrAfterATimestamp() throws Exception {
        String topic = "times";
        harness.createTopic(topic, 1, Map.of());
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of());
        long base = 1_700_000_000_000L;
        for (int i = 0; i < 100; i++) {
            producer.send(new ProducerRecord<>(topic, 0, base + i * 1000L, key(i), value(i)));
        }
        producer.flush();
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        var found = consumer.offsetsForTimes(Map.of(tp, base + 41_500L)).get(tp);
        assertThat(found.offset()).isEqualTo(42);
        assertThat(found.timestamp()).isEqualTo(base + 42_000L);
        assertThat(consumer.offsetsForTimes(Map.of(tp, base + 1_000_000L)).get(tp))
                .isNull();
        assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isZero();
        assertThat(consumer.endOffsets(List.of(tp)).get(tp)).isEqualTo(100);
    }

    @Test
    void longPollReturnsDataAppendedWhileWaiting() throws Exception {
        String topic = "long-poll";
        harness.createTopic(topic, 1, Map.of());
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of("fetch.max.wait.ms", 30_000));
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        assertThat(consumer.poll(Duration.ofMillis(200))).isEmpty();
        harness.producer(Map.of()).send(new ProducerRecord<>(topic, value(7))).get();
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (got.isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofSeconds(5)).forEach(got::add);
        }
        // With a 30 s max wait, only the append can have completed the parked fetch within the 20 s window.
        assertThat(got).extracting(ConsumerRecord::value).containsExactly(value(7));
    }

    List<ConsumerRecord<byte[], byte[]>> consumeAll(TopicPartition tp, int expected) {
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of("max.poll.records", 5000));
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(expected);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (out.size() < expected && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(500)).records(tp).forEach(out::add);
        }
        consumer.close();
        return out;
    }

    List<ConsumerRecord<byte[], byte[]>> consumeAvailable(TopicPartition tp) {
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of());
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        List<ConsumerRecord<byte[], byte[]>> out = consumeAll(tp, (int) end);
        consumer.close();
        return out;
    }

    static byte[] key(int i) {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(int i) {
        ByteBuffer buffer = ByteBuffer.allocate(100);
        buffer.putInt(i);
        while (buffer.hasRemaining()) {
            buffer.put((byte) ('a' + (i + buffer.position()) % 26));
        }
        return buffer.array();
    }
}
