package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinBrokerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case against a broker in its own small JVM ({@code -Xmx256m}): 2,000 idle sockets plus 300 that each
 * announce a 100 MiB frame, send 100 KiB of it and stall. The request memory pool (100 MiB) keeps the heap from
 * running out; the process stays up and a fresh client still produces and consumes.
 */
@Tag("slow")
class StalledFramesProcessIT {
    private static final int HUNDRED_MIB = 100 * 1024 * 1024;

    @TempDir
    Path dir;

    private Process broker;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (broker != null) {
            broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void smallHeapBrokerSurvivesIdleSocketsAndStalledPartialHugeFrames() throws Exception {
        int port = startBroker();
        String bootstrap = "127.0.0.1:" + port;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("served", 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 2000; i++) {
            sockets.add(new Socket("127.0.0.1", port));
        }
        byte[] partial = ByteBuffer.allocate(4 + 100 * 1024).putInt(HUNDRED_MIB).array();
        for (int i = 0; i < 300; i++) {
            Socket stalled = new Socket("127.0.0.1", port);
            sockets.add(stalled);
            OutputStream out = stalled.getOutputStream();
            out.write(partial);
            out.flush();
        }

        produceAndConsume(bootstrap);
        assertThat(broker.isAlive()).as("broker process alive").isTrue();
    }

    private int startBroker() throws IOException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                SkeinBrokerMain.class.getName(),
                "listeners=PLAINTEXT://127.0.0.1:0",
                "log.dirs=" + dir.resolve("broker"),
                "skein.zookeeper.embedded.port=0",
                "queued.max.request.bytes=" + HUNDRED_MIB);
        broker = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("READY ")) {
                Thread drain = new Thread(() -> reader.lines().forEach(l -> {}), "broker-process-output");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring(6).trim());
            }
        }
        throw new IOException("Broker process exited before it was ready (exit " + broker.exitValue() + ")");
    }

    private static void produceAndConsume(String bootstrap) throws Exception {
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("served", "still-served".getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition("served", 0)));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
            assertThat(values).containsExactly("still-served");
        }
    }
}
