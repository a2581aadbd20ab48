package dev.skein.bench;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.network.SocketServerConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * End-to-end throughput of the Java client against one broker: a fresh topic with one partition, {@code N} records
 * of 1 KiB (no key) produced as fast as the producer accepts them with {@code acks=all}, {@code batch.size=65536},
 * {@code linger.ms=5} (other settings at client defaults), then all of them consumed with {@code assign()} from the
 * beginning, checking that every offset arrives once and in order.
 *
 * <p>The first record is sent alone and awaited: "start to first acknowledged record" is the time from the broker's
 * start (the {@link Broker#start} call with {@code --embedded}, or {@code --broker-launch-epoch-ms} for an external
 * broker) to that acknowledgement, so it includes topic creation. The produce rate is timed over the remaining
 * {@code N - 1} records, from the first send to the return of {@code flush()}; the consume rate from the first poll
 * until the last record is seen. MiB/s counts record values only.
 *
 * <p>Prints a human-readable report and a last line {@code RESULT key=value ...} for scripts. Exits non-zero, with
 * the reason, if a record fails or a phase exceeds {@code --timeout-s}. See {@link ThroughputOptions} for arguments.
 */
public final class ClientThroughput {
    private static final int PARTITION = 0;
    private static final int DISTINCT_VALUES = 16;

    private final ThroughputOptions options;
    private final Time time;

    ClientThroughput(ThroughputOptions options, Time time) {
        this.options = options;
        this.time = time;
    }

    /** What one run measured. A {@code firstAckMs} of -1 means the broker's start time is unknown. */
    record Result(
            long records,
            int recordSize,
            double produceSeconds,
            double consumeSeconds,
            long firstAckMs,
            long brokerStartMs,
            long clientToFirstAckMs) {

        double produceRecordsPerSecond() {
            return (records - 1) / produceSeconds;
        }

        double produceMiBPerSecond() {
            return produceRecordsPerSecond() * recordSize / (1024.0 * 1024.0);
        }

        double consumeRecordsPerSecond() {
            return records / consumeSeconds;
        }

        double consumeMiBPerSecond() {
            return consumeRecordsPerSecond() * recordSize / (1024.0 * 1024.0);
        }

        String summaryLine(String label) {
            return String.format(
                    Locale.ROOT,
                    "RESULT label=%s records=%d record_bytes=%d produce_records_per_s=%.0f produce_mib_per_s=%.1f"
                            + " consume_records_per_s=%.0f consume_mib_per_s=%.1f first_ack_ms=%d"
                            + " broker_start_ms=%d client_to_first_ack_ms=%d",
                    label,
                    records,
                    recordSize,
                    produceRecordsPerSecond(),
                    produceMiBPerSecond(),
                    consumeRecordsPerSecond(),
                    consumeMiBPerSecond(),
                    firstAckMs,
                    brokerStartMs,
                    clientToFirstAckMs);
        }
    }

    public static void main(String[] args) throws Exception {
        ThroughputOptions options;
        try {
            options = ThroughputOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Result result = new ClientThroughput(options, Time.SYSTEM).run();
        System.out.printf(
                Locale.ROOT,
                "%s: %d records of %d bytes, 1 partition, acks=all, batch.size=65536, linger.ms=5%n"
                        + "  produce: %,.0f records/s, %.1f MiB/s (%.2f s)%n"
                        + "  consume: %,.0f records/s, %.1f MiB/s (%.2f s)%n"
                        + "  start to first acknowledged record: %s (broker start: %s, client start to ack: %d ms)%n",
                options.label(),
                result.records(),
                result.recordSize(),
                result.produceRecordsPerSecond(),
                result.produceMiBPerSecond(),
                result.produceSeconds(),
                result.consumeRecordsPerSecond(),
                result.consumeMiBPerSecond(),
                result.consumeSeconds(),
                result.firstAckMs() < 0 ? "unknown" : result.firstAckMs() + " ms",
                result.brokerStartMs() < 0 ? "not measured" : result.brokerStartMs() + " ms",
                result.clientToFirstAckMs());
        System.out.println(result.summaryLine(options.label()));
    }

    Result run() throws Exception {
        long clientStartNs = time.nanoseconds();
        if (!options.embedded()) {
            long launchNs = options.brokerLaunchEpochMs().isPresent()
                    ? clientStartNs
                            - (time.milliseconds()
                                            - options.brokerLaunchEpochMs().getAsLong())
                                    * 1_000_000L
                    : -1;
            return measure(options.bootstrap(), launchNs, -1, clientStartNs);
        }
        Path dir = Files.createTempDirectory("skein-throughput");
        try {
            long launchNs = time.nanoseconds();
            try (Broker broker = Broker.start(BrokerConfig.from(Map.of(
                    SocketServerConfigs.LISTENERS, "PLAINTEXT://127.0.0.1:0",
                    BrokerConfig.LOG_DIRS, dir.toString(),
                    BrokerConfig.EMBEDDED_ZOOKEEPER_PORT, "0")))) {
                long brokerStartMs = (time.nanoseconds() - launchNs) / 1_000_000;
                return measure("127.0.0.1:" + broker.port(), launchNs, brokerStartMs, clientStartNs);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private Result measure(String bootstrap, long launchNs, long brokerStartMs, long clientStartNs)
            throws InterruptedException, ExecutionException, TimeoutException {
        String topic = "throughput-" + time.milliseconds();
        createTopic(bootstrap, topic);
        byte[][] values = RecordBatches.textValues(DISTINCT_VALUES, options.recordSize(), 1L);
        long firstAckNs;
        double produceSeconds;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap))) {
            producer.send(new ProducerRecord<>(topic, PARTITION, null, values[0]))
                    .get(options.timeoutSeconds(), TimeUnit.SECONDS);
            firstAckNs = time.nanoseconds();
            produceSeconds = produceRest(producer, topic, values);
        }
        double consumeSeconds = consumeAll(bootstrap, topic);
        long firstAckMs = launchNs < 0 ? -1 : (firstAckNs - launchNs) / 1_000_000;
        return new Result(
                options.records(),
                options.recordSize(),
                produceSeconds,
                consumeSeconds,
                firstAckMs,
                brokerStartMs,
                (firstAckNs - clientStartNs) / 1_000_000);
    }

    private void createTopic(String bootstrap, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, options.timeoutSeconds() * 1000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get(options.timeoutSeconds(), TimeUnit.SECONDS);
        }
    }

    private Properties producerConfig(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, options.timeoutSeconds() * 1000L);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private double produceRest(KafkaProducer<byte[], byte[]> producer, String topic, byte[][] values) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = time.nanoseconds();
        for (long i = 1; i < options.records() && failure.get() == null; i++) {
            producer.send(
                    new ProducerRecord<>(topic, PARTITION, null, values[(int) (i % DISTINCT_VALUES)]),
                    (RecordMetadata metadata, Exception e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
        }
        producer.flush();
        double seconds = (time.nanoseconds() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException("A produce request failed", failure.get());
        }
        return seconds;
    }

    private double consumeAll(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        TopicPartition tp = new TopicPartition(topic, PARTITION);
        if (options.groupId() != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            // The group join is part of the measured time: it is what a subscribing application pays.
            long start = time.nanoseconds();
            if (options.groupId() != null) {
                consumer.subscribe(List.of(topic));
            } else {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
            }
            long lastProgress = start;
            long expected = 0;
            long timeoutNs = TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
            while (expected < options.records()) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    if (record.offset() != expected || record.value().length != options.recordSize()) {
                        throw new IllegalStateException("Expected offset " + expected + " of "
                                + options.recordSize() + " bytes, got offset " + record.offset() + " of "
                                + record.value().length + " bytes");
                    }
                    expected++;
                }
                long now = time.nanoseconds();
                if (!batch.isEmpty()) {
                    lastProgress = now;
                } else if (now - lastProgress > timeoutNs) {
                    throw new IllegalStateException("Consumed " + expected + " of " + options.records()
                            + " records; nothing new for " + options.timeoutSeconds() + " s");
                }
            }
            return (time.nanoseconds() - start) / 1e9;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
