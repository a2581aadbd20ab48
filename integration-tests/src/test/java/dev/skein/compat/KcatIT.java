package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.testkit.SkeinTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kcat (librdkafka) as producer, consumer and metadata client: what kcat writes is read back byte for byte by the
 * Java consumer, and what the Java producer writes is read back by kcat from the requested offsets.
 */
class KcatIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @BeforeAll
    static void requireKcat() throws Exception {
        Kcat.assumeInstalled();
    }

    @Test
    void metadataListsTheBrokerAndEveryPartitionLeader() throws Exception {
        skein.createTopic("kcat-meta", 3);

        ExternalProcess.ProcessResult result = kcat("metadata", null, "-L", "-J", "-t", "kcat-meta");

        JsonNode metadata = JSON.readTree(result.stdout());
        assertThat(metadata.path("brokers")).hasSize(1);
        assertThat(metadata.path("brokers").get(0).path("id").asInt()).isZero();
        assertThat(metadata.path("brokers").get(0).path("name").asText()).isEqualTo(skein.bootstrap());
        JsonNode topic = metadata.path("topics").get(0);
        assertThat(topic.path("topic").asText()).isEqualTo("kcat-meta");
        assertThat(topic.has("error")).as(topic.toString()).isFalse();
        List<Integer> partitions = new ArrayList<>();
        for (JsonNode partition : topic.path("partitions")) {
            partitions.add(partition.path("partition").asInt());
            assertThat(partition.path("leader").asInt()).isZero();
            assertThat(partition.path("replicas").get(0).path("id").asInt()).isZero();
            assertThat(partition.path("isrs").get(0).path("id").asInt()).isZero();
        }
        assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void producesKeysAndHeadersThatJavaConsumerReadsBack() throws Exception {
        String topic = "kcat-keys-headers";
        skein.createTopic(topic, 1);
        Path input = lines(
                "keys-headers",
                IntStream.range(0, 50).mapToObj(i -> "key-" + i + ":value " + i).toList());

        kcat("produce-keys", input, "-P", "-t", topic, "-p", "0", "-K:", "-H", "trace=abc-123", "-H", "origin=kcat");

        List<ConsumerRecord<String, String>> records = readAll(topic, 50);
        for (int i = 0; i < 50; i++) {
            ConsumerRecord<String, String> record = records.get(i);
            assertThat(record.offset()).isEqualTo(i);
            assertThat(record.key()).isEqualTo("key-" + i);
            assertThat(record.value()).isEqualTo("value " + i);
            assertThat(headers(record)).containsExactly(Map.entry("trace", "abc-123"), Map.entry("origin", "kcat"));
        }
        // and kcat reads its own keys and headers back
        ExternalProcess.ProcessResult consumed =
                kcat("consume-keys", null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k|%s|%h\\n");
        assertThat(consumed.stdoutLines().get(7)).isEqualTo("key-7|value 7|trace=abc-123,origin=kcat");
        assertThat(consumed.stdoutLines()).hasSize(50);
    }

    @Test
    void producingToAMissingTopicCreatesItWithBrokerDefaults() throws Exception {
        String topic = "kcat-auto-created";
        List<String> values = IntStream.range(0, 20).mapToObj(i -> "auto " + i).toList();

        kcat("produce-auto", lines("auto", values), "-P", "-t", topic, "-p", "0");

        assertThat(skein.admin().listTopics().names().get()).contains(topic);
        assertThat(readAll(topic, values.size()).stream().map(ConsumerRecord::value))
                .containsExactlyElementsOf(values);
    }

    @Test
    void consumesFromBeginningEndAbsoluteAndRelativeOffsets() throws Exception {
        String topic = "kcat-offsets";
        skein.createTopic(topic, 1);
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, "record-" + i));
            }
            producer.flush();
        }

        assertThat(consumeFrom(topic, "beginning")).containsExactlyElementsOf(expected(0, 10));
        assertThat(consumeFrom(topic, "7")).containsExactlyElementsOf(expected(7, 10));
        assertThat(consumeFrom(topic, "-3")).containsExactlyElementsOf(expected(7, 10));
        assertThat(consumeFrom(topic, "end")).isEmpty();
    }

    @Test
    void queriesAndConsumesByTimestamp() throws Exception {
        String topic = "kcat-timestamps";
        skein.createTopic(topic, 1);
        long base = System.currentTimeMillis() - 3_600_000L;
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, base + i * 1_000L, null, "record-" + i));
            }
            producer.flush();
        }

        ExternalProcess.ProcessResult query = kcat("query-time", null, "-Q", "-t", topic + ":0:" + (base + 4_500L));
        assertThat(query.stdoutLines()).containsExactly(topic + " [0] offset 5");
        ExternalProcess.ProcessResult between = kcat(
                "consume-time",
                null,
                "-C",
                "-t",
                topic,
                "-p",
                "0",
                "-o",
                "s@" + (base + 2_000L),
                "-o",
                "e@" + (base + 6_000L),
                "-q",
                "-f",
                "%o %T %s\\n");
        assertThat(between.stdoutLines())
                .containsExactly(
                        "2 " + (base + 2_000L) + " record-2",
                        "3 " + (base + 3_000L) + " record-3",
                        "4 " + (base + 4_000L) + " record-4",
                        "5 " + (base + 5_000L) + " record-5");
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everyCompressionCodecRoundTrips(String codec) throws Exception {
        String topic = "kcat-codec-" + codec;
        skein.createTopic(topic, 1);
        List<String> values = IntStream.range(0, 2_000)
                .mapToObj(i -> codec + " record " + i + " " + "x".repeat(i % 50))
                .toList();

        kcat("produce-" + codec, lines("codec-" + codec, values), "-P", "-t", topic, "-p", "0", "-z", codec);

        assertThat(readAll(topic, values.size()).stream().map(ConsumerRecord::value))
                .containsExactlyElementsOf(values);
        ExternalProcess.ProcessResult consumed =
                kcat("consume-" + codec, null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n");
        assertThat(consumed.stdoutLines()).containsExactlyElementsOf(values);
    }

    @ParameterizedTest(name = "acks={0}")
    @ValueSource(strings = {"0", "1", "all"})
    void producesWithEveryAcksSetting(String acks) throws Exception {
        String topic = "kcat-acks-" + acks;
        skein.createTopic(topic, 1);
        List<String> values = IntStream.range(0, 1_000)
                .mapToObj(i -> "acks " + acks + " " + i)
                .toList();

        kcat("produce-acks-" + acks, lines("acks-" + acks, values), "-P", "-t", topic, "-p", "0", "-X", "acks=" + acks);

        assertThat(readAll(topic, values.size()).stream().map(ConsumerRecord::value))
                .containsExactlyElementsOf(values);
    }

    @Test
    void idempotentProducerWritesEachRecordOnce() throws Exception {
        String topic = "kcat-idempotent";
        skein.createTopic(topic, 1);
        List<String> values =
                IntStream.range(0, 5_000).mapToObj(i -> "idempotent " + i).toList();

        kcat(
                "produce-idempotent",
                lines("idempotent", values),
                "-P",
                "-t",
                topic,
                "-p",
                "0",
                "-X",
                "enable.idempotence=true",
                "-X",
                "linger.ms=5");

        List<ConsumerRecord<String, String>> records = readAll(topic, values.size());
        assertThat(records.stream().map(ConsumerRecord::value)).containsExactlyElementsOf(values);
        assertThat(records.get(records.size() - 1).offset()).isEqualTo(values.size() - 1);
    }

    private static List<String> consumeFrom(String topic, String offset) throws Exception {
        return kcat("consume-" + offset, null, "-C", "-t", topic, "-p", "0", "-o", offset, "-e", "-q", "-f", "%s\\n")
                .stdoutLines();
    }

    private static List<String> expected(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "record-" + i).toList();
    }

    private static ExternalProcess.ProcessResult kcat(String name, Path stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(Kcat.command(skein.bootstrap(), args));
        ExternalProcess.ProcessResult result = ExternalProcess.run(dir, "kcat-" + name, TIMEOUT, command, stdin);
        assertThat(result.exitCode()).as("%s: %s", command, result.stderr()).isZero();
        return result;
    }

    private static Path lines(String name, List<String> lines) throws Exception {
        Path file = dir.resolve(name + ".in");
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, int count) {
        try (KafkaConsumer<String, String> consumer = skein.stringConsumer(Map.of())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Awaitility.await("read " + count + " records of " + topic)
                    .atMost(TIMEOUT)
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return records.size() >= count;
                    });
            assertThat(records).hasSize(count);
            return records;
        }
    }

    private static List<Map.Entry<String, String>> headers(ConsumerRecord<String, String> record) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (Header header : record.headers()) {
            headers.add(Map.entry(header.key(), new String(header.value(), StandardCharsets.UTF_8)));
        }
        return headers;
    }
}
