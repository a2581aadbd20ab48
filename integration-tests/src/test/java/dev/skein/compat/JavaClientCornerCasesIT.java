package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Java client's less travelled paths against Skein, each checked on the records read back. */
class JavaClientCornerCasesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @Test
    void maxPollRecordsCapsEveryPollAndKeepsOrder() throws Exception {
        String topic = "java-max-poll";
        skein.createTopic(topic, 1);
        produceValues(topic, 100);

        List<Integer> pollSizes = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                skein.stringConsumer(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 7))) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            Awaitility.await().atMost(WAIT).until(() -> {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    pollSizes.add(records.count());
                }
                records.forEach(r -> values.add(r.value()));
                return values.size() >= 100;
            });
        }
        assertThat(pollSizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(7));
        assertThat(values).containsExactlyElementsOf(expectedValues(100));
    }

    @Test
    void fetchMaxBytesSmallerThanOneBatchStillReturnsTheBatch() throws Exception {
        String topic = "java-small-fetch";
        skein.createTopic(topic, 1);
        // one ~100 KB batch: a whole batch is returned even when it exceeds the fetch limits
        try (KafkaProducer<String, String> producer = skein.stringProducer(
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 1_000, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, null, "v" + i + "-" + "p".repeat(100))));
            }
            producer.flush();
            assertThat(sent.get(999).get().offset()).isEqualTo(999);
        }

        List<String> values = new ArrayList<>();
        int polls = 0;
        try (KafkaConsumer<String, String> consumer = skein.stringConsumer(Map.of(
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024, ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 512))) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (values.size() < 1_000 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                polls++;
            }
        }
        assertThat(values).hasSize(1_000);
        assertThat(values.get(0)).startsWith("v0-");
        assertThat(values.get(999)).startsWith("v999-");
        assertThat(polls).isPositive();
    }

    @Test
    void headersNullKeysAndNullValuesRoundTrip() throws Exception {
        String topic = "java-nulls-headers";
        skein.createTopic(topic, 1);
        List<Header> headers = List.of(
                new RecordHeader("trace", "t-1".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("trace", "t-2".getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("empty", new byte[0]),
                new RecordHeader("null", (byte[]) null));
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, 0, null, "no key"));
            producer.send(new ProducerRecord<>(topic, 0, "no value", null));
            producer.send(new ProducerRecord<>(topic, 0, null, null));
            producer.send(new ProducerRecord<>(topic, 0, "with headers", "v", headers));
            producer.flush();
        }

        List<ConsumerRecord<String, String>> records = readAll(topic, 0, 4);
        assertThat(records.get(0).key()).isNull();
        assertThat(records.get(0).value()).isEqualTo("no key");
        assertThat(records.get(1).key()).isEqualTo("no value");
        assertThat(records.get(1).value()).isNull();
        assertThat(records.get(2).key()).isNull();
        assertThat(records.get(2).value()).isNull();
        List<Header> read = List.of(records.get(3).headers().toArray());
        assertThat(read).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(read.get(i).key()).isEqualTo(headers.get(i).key());
            assertThat(read.get(i).value()).isEqualTo(headers.get(i).value());
        }
    }

    @Test
    void createTimeIsKeptAndLogAppendTimeIsStampedByTheBroker() throws Exception {
        skein.createTopic("java-create-time", 1);
        skein.createTopic("java-append-time", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long clientTime = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);

        long before = System.currentTimeMillis();
        RecordMetadata appendMetadata;
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            producer.send(new ProducerRecord<>("java-create-time", 0, clientTime, "k", "v"))
                    .get();
            appendMetadata = producer.send(new ProducerRecord<>("java-append-time", 0, clientTime, "k", "v"))
                    .get();
        }
        long after = System.currentTimeMillis();

        ConsumerRecord<String, String> created =
                readAll("java-create-time", 0, 1).get(0);
        assertThat(created.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(created.timestamp()).isEqualTo(clientTime);

        ConsumerRecord<String, String> appended =
                readAll("java-append-time", 0, 1).get(0);
        assertThat(appended.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(appended.timestamp()).isBetween(before, after);
        assertThat(appendMetadata.timestamp())
                .as("produce response carries the log append time")
                .isEqualTo(appended.timestamp());
    }

    @Test
    void offsetsForTimesFindsTheFirstRecordAtOrAfterTheTimestamp() throws Exception {
        String topic = "java-offsets-for-times";
        skein.createTopic(topic, 1);
        TopicPartition partition = new TopicPartition(topic, 0);
        long base = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(1);
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, base + i * 1_000L, null, "t" + i));
            }
            producer.flush();
        }

        try (KafkaConsumer<String, String> consumer = skein.stringConsumer(Map.of())) {
            Map<TopicPartition, OffsetAndTimestamp> exact =
                    consumer.offsetsForTimes(Map.of(partition, base + 3_000L), WAIT);
            Map<TopicPartition, OffsetAndTimestamp> between =
                    consumer.offsetsForTimes(Map.of(partition, base + 4_500L), WAIT);
            Map<TopicPartition, OffsetAndTimestamp> first = consumer.offsetsForTimes(Map.of(partition, 0L), WAIT);
            Map<TopicPartition, OffsetAndTimestamp> beyond =
                    consumer.offsetsForTimes(Map.of(partition, base + 60_000L), WAIT);

            assertThat(exact.get(partition).offset()).isEqualTo(3);
            assertThat(exact.get(partition).timestamp()).isEqualTo(base + 3_000L);
            assertThat(between.get(partition).offset()).isEqualTo(5);
            assertThat(between.get(partition).timestamp()).isEqualTo(base + 5_000L);
            assertThat(first.get(partition).offset()).isZero();
            assertThat(exact.get(partition).leaderEpoch()).contains(0);
            assertThat(beyond.get(partition)).isNull();
        }
    }

    @Test
    void adminListOffsetsAnswersEverySpec() throws Exception {
        String topic = "java-offset-specs";
        skein.createTopic(topic, 1);
        TopicPartition partition = new TopicPartition(topic, 0);
        long base = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(1);
        long[] timestamps = {base + 3_000, base + 1_000, base + 9_000, base + 2_000};
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (long timestamp : timestamps) {
                producer.send(new ProducerRecord<>(topic, 0, timestamp, null, "t"))
                        .get();
            }
        }
        Admin admin = skein.admin();
        Map<String, OffsetSpec> specs = Map.of(
                "earliest", OffsetSpec.earliest(),
                "latest", OffsetSpec.latest(),
                "maxTimestamp", OffsetSpec.maxTimestamp(),
                "forTimestamp", OffsetSpec.forTimestamp(base + 2_500),
                "earliestLocal", OffsetSpec.earliestLocal(),
                "latestTiered", OffsetSpec.latestTiered());
        Map<String, Long> offsets = new TreeMap<>();
        Map<String, Long> times = new TreeMap<>();
        for (Map.Entry<String, OffsetSpec> spec : specs.entrySet()) {
            ListOffsetsResultInfo info = admin.listOffsets(Map.of(partition, spec.getValue()))
                    .partitionResult(partition)
                    .get();
            offsets.put(spec.getKey(), info.offset());
            times.put(spec.getKey(), info.timestamp());
        }
        assertThat(offsets)
                .containsEntry("earliest", 0L)
                .containsEntry("latest", 4L)
                .containsEntry("maxTimestamp", 2L)
                .containsEntry("forTimestamp", 0L)
                .containsEntry("earliestLocal", 0L)
                // no tiered storage: nothing is tiered, as Kafka answers without remote storage
                .containsEntry("latestTiered", -1L);
        assertThat(times).containsEntry("maxTimestamp", base + 9_000).containsEntry("forTimestamp", base + 3_000);
    }

    @Test
    void customAndRoundRobinPartitionersPlaceRecordsWhereTheyChoose() throws Exception {
        String topic = "java-partitioners";
        skein.createTopic(topic, 4);
        Map<Integer, Integer> custom = new HashMap<>();
        try (KafkaProducer<String, String> producer =
                skein.stringProducer(Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, LastDigitPartitioner.class))) {
            for (int i = 0; i < 20; i++) {
                RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, "key-" + i, "custom"))
                        .get();
                custom.merge(metadata.partition(), 1, Integer::sum);
                assertThat(metadata.partition()).isEqualTo(i % 10 % 4);
            }
        }
        Map<Integer, Integer> roundRobin = new HashMap<>();
        try (KafkaProducer<String, String> producer =
                skein.stringProducer(Map.of(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class))) {
            for (int i = 0; i < 20; i++) {
                roundRobin.merge(
                        producer.send(new ProducerRecord<>(topic, "same-key", "rr"))
                                .get()
                                .partition(),
                        1,
                        Integer::sum);
            }
        }
        assertThat(roundRobin).as("round robin ignores the key").hasSize(4);
        int total = 0;
        for (int p = 0; p < 4; p++) {
            List<ConsumerRecord<String, String>> records =
                    readAll(topic, p, custom.getOrDefault(p, 0) + roundRobin.getOrDefault(p, 0));
            for (ConsumerRecord<String, String> record : records) {
                if (record.value().equals("custom")) {
                    int digit = record.key().charAt(record.key().length() - 1) - '0';
                    assertThat(digit % 4).isEqualTo(p);
                }
            }
            total += records.size();
        }
        assertThat(total).isEqualTo(40);
    }

    /** Partition = last digit of the key modulo the partition count. */
    public static final class LastDigitPartitioner implements Partitioner {
        @Override
        public int partition(
                String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            String text = (String) key;
            return (text.charAt(text.length() - 1) - '0') % cluster.partitionCountForTopic(topic);
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    private static void produceValues(String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, "value-" + i));
            }
            producer.flush();
        }
    }

    private static List<String> expectedValues(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add("value-" + i);
        }
        return values;
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, int partition, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = skein.stringConsumer(Map.of())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Awaitility.await("read " + count + " from " + tp).atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return records.size() >= count;
            });
        }
        assertThat(records).hasSize(count);
        return records;
    }
}
