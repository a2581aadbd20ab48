package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code abortedTransactions} of {@code read_committed} fetches, Skein against Apache Kafka 4.4 on the same log: a
 * Java transactional producer aborts {@value #ROUNDS} transactions of one record, each followed by a plain record
 * (offsets 3k: transactional record, 3k+1: ABORT marker, 3k+2: plain record, on both brokers). Fetches with a small
 * max bytes must list, on Skein, exactly the aborted transactions with records in the returned batches; Kafka bounds
 * its list by an offset-index entry after the slice, so it may list more, never fewer: Skein's list is contained in
 * Kafka's, and both lead a consumer to the same records.
 */
@Tag("differential")
class AbortedTransactionsDifferentialIT {
    private static final String TOPIC = "aborted-diff";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int ROUNDS = 120;

    @TempDir
    static Path dir;

    static KafkaReference kafka;
    static SkeinTestProcess skein;

    @BeforeAll
    static void startBrokers() throws Exception {
        String classpath = KafkaReference.requireClasspath();
        kafka = KafkaReference.start(classpath, dir.resolve("kafka"));
        skein = SkeinTestProcess.start(dir.resolve("skein"), List.of());
        for (int port : List.of(kafka.port(), skein.port())) {
            write(port);
        }
    }

    @AfterAll
    static void stopBrokers() throws Exception {
        if (skein != null) {
            skein.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void skeinListsTheAbortedTransactionsOfTheSliceAndNoneKafkaWouldNot() throws Exception {
        int batch = fetch(skein.port(), 2, 1).records().sizeInBytes();
        long[][] cases = {{0, 1}, {301, 10L * batch + batch / 2}, {3L * (ROUNDS - 10), 1 << 20}, {30, 40L * batch}};
        for (long[] c : cases) {
            long offset = c[0];
            int maxBytes = (int) c[1];
            FetchResponseData.PartitionData fromKafka = fetch(kafka.port(), offset, maxBytes);
            FetchResponseData.PartitionData fromSkein = fetch(skein.port(), offset, maxBytes);
            List<Long> kafkaStarts = starts(fromKafka);
            List<Long> skeinStarts = starts(fromSkein);
            List<Long> skeinOffsets = batchOffsets(fromSkein);
            System.out.printf(
                    "fetch %d, max bytes %d: Kafka %d batches, aborted %s; Skein %d batches, aborted %s%n",
                    offset, maxBytes, batchOffsets(fromKafka).size(), kafkaStarts, skeinOffsets.size(), skeinStarts);
            assertThat(batchOffsets(fromKafka)).as("Kafka's batches").startsWith(skeinOffsets.toArray(Long[]::new));
            assertThat(skeinStarts).as("Skein's list").isEqualTo(overlapping(offset, skeinOffsets));
            assertThat(kafkaStarts).as("Kafka's list").containsAll(skeinStarts);
        }
    }

    /** First offsets of the aborted transactions (round k starts at 3k, its marker at 3k+1) overlapping the batches. */
    private static List<Long> overlapping(long fetchOffset, List<Long> batchBaseOffsets) {
        long last = batchBaseOffsets.get(batchBaseOffsets.size() - 1);
        List<Long> out = new ArrayList<>();
        for (int k = 0; k < ROUNDS; k++) {
            if (3L * k + 1 >= fetchOffset && 3L * k <= last) {
                out.add(3L * k);
            }
        }
        return out;
    }

    private static List<Long> starts(FetchResponseData.PartitionData data) {
        return data.abortedTransactions() == null
                ? List.of()
                : data.abortedTransactions().stream()
                        .map(FetchResponseData.AbortedTransaction::firstOffset)
                        .sorted()
                        .toList();
    }

    /** Base offsets of the whole batches returned (every batch here holds one record). */
    private static List<Long> batchOffsets(FetchResponseData.PartitionData data) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : ((MemoryRecords) data.records()).batches()) {
            offsets.add(batch.baseOffset());
        }
        return offsets;
    }

    private static FetchResponseData.PartitionData fetch(int port, long offset, int maxBytes) throws Exception {
        Map<TopicPartition, FetchRequest.PartitionData> wanted = new LinkedHashMap<>();
        wanted.put(TP, new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, 0L, maxBytes, Optional.empty()));
        try (RawConnection raw = new RawConnection(port)) {
            FetchResponse response = (FetchResponse) raw.send(FetchRequest.Builder.forConsumer((short) 12, 0, 1, wanted)
                    .isolationLevel(IsolationLevel.READ_COMMITTED)
                    .build((short) 12));
            return response.data().responses().get(0).partitions().get(0);
        }
    }

    /** The log of the class comment, on the broker at {@code port}. */
    private static void write(int port) throws Exception {
        String bootstrap = "127.0.0.1:" + port;
        Awaitility.await("broker on " + port + " creates the topic")
                .atMost(Duration.ofSeconds(90))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)))
                                .all()
                                .get();
                    }
                });
        try (KafkaProducer<byte[], byte[]> txn = producer(bootstrap, "diff-aborter");
                KafkaProducer<byte[], byte[]> plain = producer(bootstrap, null)) {
            txn.initTransactions();
            for (int k = 0; k < ROUNDS; k++) {
                txn.beginTransaction();
                txn.send(new ProducerRecord<>(TOPIC, 0, null, bytes("aborted-" + k)))
                        .get();
                txn.abortTransaction();
                // The markers follow the coordinator's answer: the plain record goes after this one's.
                long markerEnd = 3L * k + 2;
                try (RawConnection raw = new RawConnection(port)) {
                    Awaitility.await("ABORT marker of round " + k)
                            .atMost(Duration.ofSeconds(30))
                            .pollInSameThread()
                            .pollInterval(Duration.ofMillis(5))
                            .until(() -> RawTxn.latest(raw, TP, IsolationLevel.READ_UNCOMMITTED) >= markerEnd);
                }
                long offset = plain.send(new ProducerRecord<>(TOPIC, 0, null, bytes("plain-" + k)))
                        .get()
                        .offset();
                assertThat(offset)
                        .as("plain record of round %d on port %d", k, port)
                        .isEqualTo(3L * k + 2);
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String transactionalId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(props);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
