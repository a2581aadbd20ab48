package dev.skein.broker.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checks a finished run's history against what the healed cluster holds. {@link #readBack} reads every partition of
 * the topic from the beginning to its end offset; {@link #check} then finds, each as a line in {@link #problems()}:
 * an acknowledged record missing from its acknowledged offset (lost), a value stored at two offsets (duplicate), an
 * offset the consumer read with a different value than it now holds, acknowledged records of one key out of order.
 * {@link #compareReplicas} compares the partition's segment files byte for byte across the brokers' log directories.
 */
final class HistoryChecker {
    private final String topic;
    private final int partitions;
    private final Map<TopicPartition, Map<Long, String>> stored = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private long lost;
    private long duplicates;

    HistoryChecker(String topic, int partitions) {
        this.topic = topic;
        this.partitions = partitions;
    }

    List<String> problems() {
        return problems;
    }

    long lost() {
        return lost;
    }

    long duplicates() {
        return duplicates;
    }

    /** Reads every partition from the beginning to its current end offset (read_uncommitted; the cluster is idle). */
    void readBack(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read-back did not reach the end offsets " + ends + " within 120 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    stored(record.partition(), record.offset(), new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** Notes that the cluster holds {@code value} at {@code partition}@{@code offset} (read back). */
    void stored(int partition, long offset, String value) {
        stored.computeIfAbsent(new TopicPartition(topic, partition), t -> new TreeMap<>())
                .put(offset, value);
    }

    /** Checks the acknowledgements and the consumer's observations against the read-back. */
    void check(List<Workload.Ack> acks, Map<TopicPartition, Map<Long, String>> observed) {
        for (Workload.Ack ack : acks) {
            String value = stored.getOrDefault(new TopicPartition(topic, ack.partition()), Map.of())
                    .get(ack.offset());
            if (!ack.value().equals(value)) {
                lost++;
                problem("acknowledged " + ack.value() + " at " + ack.partition() + "@" + ack.offset()
                        + " but that offset holds " + value);
            }
        }
        Map<String, String> where = new HashMap<>();
        stored.forEach((tp, records) -> records.forEach((offset, value) -> {
            String before = where.put(value, tp.partition() + "@" + offset);
            if (before != null) {
                duplicates++;
                problem("value " + value + " stored twice: at " + before + " and " + tp.partition() + "@" + offset);
            }
        }));
        observed.forEach((tp, records) -> records.forEach((offset, value) -> {
            String now = stored.getOrDefault(tp, Map.of()).get(offset);
            if (!value.equals(now)) {
                problem("consumer read " + value + " at " + tp + "@" + offset + " which now holds " + now);
            }
        }));
        checkKeyOrder(acks);
    }

    private void checkKeyOrder(List<Workload.Ack> acks) {
        Map<Integer, List<Workload.Ack>> byKey = new HashMap<>();
        for (Workload.Ack ack : acks) {
            byKey.computeIfAbsent(ack.key(), k -> new ArrayList<>()).add(ack);
        }
        byKey.forEach((key, list) -> {
            list.sort(Comparator.comparingLong(Workload.Ack::seq));
            for (int i = 1; i < list.size(); i++) {
                Workload.Ack a = list.get(i - 1);
                Workload.Ack b = list.get(i);
                if (a.partition() != b.partition() || a.offset() >= b.offset()) {
                    problem("key k" + key + " out of order: " + a.value() + " at " + a.partition() + "@" + a.offset()
                            + " before " + b.value() + " at " + b.partition() + "@" + b.offset());
                }
            }
        });
    }

    /**
     * Compares, per partition, the concatenated {@code .log} segment bytes in every broker's log directory (the
     * brokers must be stopped or idle and caught up). Returns the number of partitions compared.
     */
    int compareReplicas(List<Path> logDirs) throws IOException {
        for (int p = 0; p < partitions; p++) {
            byte[] reference = null;
            Path referenceDir = null;
            for (Path logDir : logDirs) {
                Path dir = logDir.resolve(topic + "-" + p);
                if (logDirs.size() > 3 && !Files.isDirectory(dir)) {
                    continue; // more brokers than replicas (replication factor 3): not a replica of this partition
                }
                byte[] bytes = segmentBytes(dir);
                if (reference == null) {
                    reference = bytes;
                    referenceDir = dir;
                } else if (!java.util.Arrays.equals(reference, bytes)) {
                    problem("replicas of " + topic + "-" + p + " differ: " + referenceDir + " has " + reference.length
                            + " bytes, " + dir + " has " + bytes.length + ", first difference at byte "
                            + java.util.Arrays.mismatch(reference, bytes));
                }
            }
        }
        return partitions;
    }

    private static byte[] segmentBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new byte[0];
        }
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .toList();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Path segment : segments) {
            out.write(Files.readAllBytes(segment));
        }
        return out.toByteArray();
    }

    private void problem(String text) {
        if (problems.size() < 50) {
            problems.add(text);
        }
    }
}
