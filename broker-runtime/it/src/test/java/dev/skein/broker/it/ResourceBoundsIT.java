package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.skein.broker.log.PartitionLog;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one client can make the broker hold is bounded: stalled huge frames, idle sockets, absurd partition counts,
 * parked fetches and idempotent producer state. Each case goes through a real socket to a real broker, and every
 * other client keeps being served.
 */
class ResourceBoundsIT {
    private static final int HUNDRED_MIB = 100 * 1024 * 1024;

    @TempDir
    Path dataDir;

    private BrokerHarness harness;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void idleSocketsAndStalledHugeFramesLeaveTheBrokerServing() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic("served", 1, Map.of());
        int port = harness.broker().port();
        for (int i = 0; i < 2000; i++) {
            sockets.add(new Socket("127.0.0.1", port));
        }
        for (int i = 0; i < 300; i++) {
            Socket stalled = new Socket("127.0.0.1", port);
            sockets.add(stalled);
            stalled.getOutputStream()
                    .write(ByteBuffer.allocate(4).putInt(HUNDRED_MIB).array());
            stalled.getOutputStream().flush();
        }

        assertProducesAndConsumes("served");
        assertThat(harness.broker().health().listenerAlive()).isTrue();
    }

    private void assertProducesAndConsumes(String topic) throws Exception {
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000));
        producer.send(new ProducerRecord<>(topic, "still-served".getBytes(StandardCharsets.UTF_8)))
                .get(15, TimeUnit.SECONDS);
        KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of());
        consumer.assign(List.of(new TopicPartition(topic, 0)));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (values.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(values).contains("still-served");
    }

    @Test
    void createTopicsWithMaxIntPartitionsIsRefusedAtOnce() throws Exception {
        harness = BrokerHarness.start(dataDir);
        Admin admin = harness.admin();
        long started = System.nanoTime();
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("huge", Integer.MAX_VALUE, (short) 1)))
                        .all()
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(PolicyViolationException.class)
                .hasMessageContaining("skein.max.partitions.per.request");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("huge");
    }

    @Test
    void partitionsOverTheRequestAndBrokerCapsAreRefused() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of("skein.max.partitions.per.broker", "10"));
        Admin admin = harness.admin();
        admin.createTopics(List.of(new NewTopic("eight", 8, (short) 1))).all().get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("five", 5, (short) 1)))
                        .all()
                        .get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(PolicyViolationException.class)
                .hasMessageContaining("skein.max.partitions.per.broker");
        assertThatThrownBy(() -> admin.createPartitions(Map.of("eight", NewPartitions.increaseTo(Integer.MAX_VALUE)))
                        .all()
                        .get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(PolicyViolationException.class)
                .hasMessageContaining("skein.max.partitions.per.request");
        assertThatThrownBy(() -> admin.createPartitions(Map.of("eight", NewPartitions.increaseTo(11)))
                        .all()
                        .get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(PolicyViolationException.class);
        admin.createPartitions(Map.of("eight", NewPartitions.increaseTo(10)))
                .all()
                .get(10, TimeUnit.SECONDS);
        assertThat(harness.broker().metadata().topic("eight").orElseThrow().partitionCount())
                .isEqualTo(10);
    }

    @Test
    void parkedFetchIsDroppedWhenItsConnectionCloses() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic("quiet", 1, Map.of());
        RawConnection raw = new RawConnection(harness.broker().port());
        raw.writeFrame(longPoll("quiet", Integer.MAX_VALUE));
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.broker().fetchPurgatorySize() == 1);

        raw.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> harness.broker().fetchPurgatorySize() == 0);
    }

    @Test
    void clientMaxWaitIsCappedBySkeinFetchMaxWaitMs() throws Exception {
        harness = BrokerHarness.start(dataDir, Map.of("skein.fetch.max.wait.ms", "300"));
        harness.createTopic("quiet", 1, Map.of());
        try (RawConnection raw = new RawConnection(harness.broker().port())) {
            long started = System.nanoTime();
            FetchResponse response =
                    (FetchResponse) raw.send(FetchRequest.Builder.forConsumer((short) 12, 60_000, 1, fetchData("quiet"))
                            .build((short) 12));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(response.error()).isEqualTo(Errors.NONE);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> harness.broker().fetchPurgatorySize() == 0);
    }

    private static Map<TopicPartition, FetchRequest.PartitionData> fetchData(String topic) {
        return Map.of(
                new TopicPartition(topic, 0),
                new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0L, 0L, 1024 * 1024, Optional.empty()));
    }

    private static ByteBuffer longPoll(String topic, int maxWaitMs) {
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 12, maxWaitMs, 1, fetchData(topic))
                .build((short) 12);
        return request.serializeWithHeader(new org.apache.kafka.common.requests.RequestHeader(
                request.apiKey(), request.version(), "long-poll", 1));
    }

    @Test
    void idleIdempotentProducersExpire() throws Exception {
        harness = BrokerHarness.start(
                dataDir,
                Map.of("producer.id.expiration.ms", "1000", "producer.id.expiration.check.interval.ms", "100"));
        harness.createTopic("idem", 1, Map.of());
        KafkaProducer<byte[], byte[]> producer =
                harness.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        producer.send(new ProducerRecord<>("idem", "once".getBytes(StandardCharsets.UTF_8)))
                .get(15, TimeUnit.SECONDS);
        PartitionLog log = harness.broker()
                .partitions()
                .get(new TopicPartition("idem", 0))
                .orElseThrow()
                .log();
        long producerId = firstBatch(log).producerId();
        assertThat(producerId).isNotEqualTo(RecordBatch.NO_PRODUCER_ID);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.producerEntry(producerId).isEmpty());
    }

    private static RecordBatch firstBatch(PartitionLog log) throws IOException {
        return log.read(0, 1024 * 1024, log.logEndOffset(), true)
                .records()
                .batches()
                .iterator()
                .next();
    }
}
