package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinBrokerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a broker process in durable-ack mode while a producer is writing: after a restart every acknowledged
 * record is there, and a torn tail left in the segment is truncated away.
 */
class CrashRecoveryIT {
    private static final String TOPIC = "crash";
    /** Short, so the killed broker's ephemeral registration expires soon after the restart. */
    private static final int SESSION_TIMEOUT_MS = 6000;

    @TempDir
    Path dataDir;

    @Test
    void everyAcknowledgedRecordSurvivesKillDashNineInDurableAckMode() throws Exception {
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        Process process = startBrokerProcess();
        try {
            int port = awaitReady(process);
            String bootstrap = "127.0.0.1:" + port;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    org.apache.kafka.common.serialization.ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    org.apache.kafka.common.serialization.ByteArraySerializer.class,
                    ProducerConfig.LINGER_MS_CONFIG,
                    2,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    5000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    4000))) {
                int i = 0;
                while (acknowledged.size() < 5000 && i < 1_000_000) {
                    int n = i++;
                    producer.send(new ProducerRecord<>(TOPIC, ClientRoundTripIT.value(n)), (metadata, error) -> {
                        if (error == null) {
                            acknowledged.add(n);
                        }
                    });
                }
                process.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                producer.close(Duration.ZERO);
            }
        } finally {
            process.destroyForcibly();
        }
        Set<Integer> ackedAtKill = Set.copyOf(acknowledged);
        assertThat(ackedAtKill).hasSizeGreaterThanOrEqualTo(5000);

        Path segment = lastSegment(dataDir.resolve(TOPIC + "-0"));
        long sizeBeforeTear = Files.size(segment);
        tearTail(segment);

        try (BrokerHarness harness = BrokerHarness.start(
                dataDir,
                Map.of(
                        "skein.durable.ack",
                        "true",
                        "zookeeper.session.timeout.ms",
                        Integer.toString(SESSION_TIMEOUT_MS)))) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            KafkaConsumer<byte[], byte[]> consumer = harness.consumer(Map.of("max.poll.records", 5000));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Set<Integer> found = ConcurrentHashMap.newKeySet();
            List<Long> offsets = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (offsets.size() < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    found.add(ByteBuffer.wrap(record.value()).getInt());
                    offsets.add(record.offset());
                }
            }
            assertThat(offsets).as("records read back").hasSize((int) end);
            assertThat(found).containsAll(ackedAtKill);
            assertThat(offsets).doesNotHaveDuplicates().isSorted();
            assertThat(Files.size(segment)).isLessThanOrEqualTo(sizeBeforeTear);
            // The log accepts appends again right after the recovered tail.
            long next = harness.producer(Map.of())
                    .send(new ProducerRecord<>(TOPIC, "after".getBytes(StandardCharsets.UTF_8)))
                    .get()
                    .offset();
            assertThat(next).isEqualTo(end);
        }
    }

    private Process startBrokerProcess() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                SkeinBrokerMain.class.getName(),
                "listeners=PLAINTEXT://127.0.0.1:0",
                "log.dirs=" + dataDir,
                "skein.zookeeper.embedded.port=0",
                "skein.durable.ack=true",
                "zookeeper.session.timeout.ms=" + SESSION_TIMEOUT_MS,
                "num.partitions=1"));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int awaitReady(Process process) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("READY ")) {
                int port = Integer.parseInt(line.substring(6).trim());
                Thread drain = new Thread(() -> reader.lines().forEach(l -> {}), "broker-process-output");
                drain.setDaemon(true);
                drain.start();
                return port;
            }
        }
        throw new IOException("Broker process exited before it was ready (exit " + process.exitValue() + ")");
    }

    private static Path lastSegment(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    /** Appends what a crash mid-write leaves: a batch header promising more bytes than follow. */
    private static void tearTail(Path segment) throws IOException {
        ByteBuffer torn = ByteBuffer.allocate(40);
        torn.putLong(Long.MAX_VALUE / 2).putInt(5000).putInt(0).put((byte) 2);
        Files.write(segment, torn.array(), StandardOpenOption.APPEND);
    }
}
