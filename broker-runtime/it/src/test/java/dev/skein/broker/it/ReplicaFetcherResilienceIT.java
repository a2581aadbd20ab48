package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica fetcher keeps replicating when one partition fails or the thread itself dies, and honours
 * {@code num.replica.fetchers}. Two brokers, every partition on both.
 */
class ReplicaFetcherResilienceIT {
    private static final long WAIT_MS = 20_000;

    @TempDir
    Path dir;

    /** A topic of {@code partitions} partitions on both brokers, its leaders settled. */
    private static List<TopicPartition> create(ClusterHarness cluster, String topic, int partitions) throws Exception {
        return create(cluster, topic, partitions, Map.of());
    }

    private static List<TopicPartition> create(
            ClusterHarness cluster, String topic, int partitions, Map<String, String> configs) throws Exception {
        cluster.createTopic(topic, partitions, 2, configs);
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            cluster.awaitLeader(tp);
            cluster.await("both replicas in sync", tp, s -> s.isr().size() == 2);
            all.add(tp);
        }
        return all;
    }

    private static int leader(ClusterHarness cluster, TopicPartition tp) {
        return cluster.state(tp).leader();
    }

    private static PartitionLog log(ClusterHarness cluster, int broker, TopicPartition tp) {
        return cluster.broker(broker).partitions().get(tp).orElseThrow().log();
    }

    private static void produce(KafkaProducer<byte[], byte[]> producer, TopicPartition tp, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, bytes("v" + i)))
                    .get(WAIT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    @Test
    void onePartitionFailingToAppendDoesNotStallTheOthers() throws Exception {
        // tiny segments: below the floor clients may set, lowered for this test
        try (ClusterHarness cluster = ClusterHarness.start(dir, 2, Map.of("skein.topic.segment.bytes.min", "100"))) {
            create(cluster, "mixed", 6, Map.of("segment.bytes", "100"));
            // Partitions one leader shares with one follower, in the order the follower's fetcher takes them.
            Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
            cluster.broker(1).partitions().all().forEach(p -> byLeader.computeIfAbsent(
                            leader(cluster, p.topicPartition()), l -> new ArrayList<>())
                    .add(p.topicPartition()));
            int leader = byLeader.get(1).size() >= 2 ? 1 : 2;
            int follower = 3 - leader;
            List<TopicPartition> shared = new ArrayList<>();
            cluster.broker(follower).partitions().all().forEach(p -> {
                if (leader(cluster, p.topicPartition()) == leader) {
                    shared.add(p.topicPartition());
                }
            });
            TopicPartition bad = shared.get(0);
            List<TopicPartition> good = shared.subList(1, shared.size());
            KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1"));
            produce(producer, bad, 3);
            assertThat(eventually(() -> log(cluster, follower, bad).logEndOffset() == 3))
                    .isTrue();

            // The follower's partition directory disappears (a failing disk): its open segment stays writable, but
            // every roll (segment.bytes is tiny) fails, so each append of the next batch fails, round after round.
            deleteRecursively(dir.resolve("broker-" + follower).resolve(bad.topic() + "-" + bad.partition()));
            produce(producer, bad, 3);

            for (TopicPartition tp : good) {
                produce(producer, tp, 5);
            }
            for (TopicPartition tp : good) {
                assertThat(eventually(() -> log(cluster, follower, tp).logEndOffset() == 5))
                        .as("%s is still replicated while %s fails", tp, bad)
                        .isTrue();
            }
        }
    }

    @Test
    @SuppressWarnings("removal")
    void deadFetcherThreadIsReplaced() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 2, Map.of())) {
            TopicPartition tp = create(cluster, "orphaned", 1).get(0);
            int follower = 3 - leader(cluster, tp);
            KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1"));
            produce(producer, tp, 2);
            assertThat(eventually(() -> log(cluster, follower, tp).logEndOffset() == 2))
                    .isTrue();

            Thread fetcher = fetcherThreads(follower).get(0);
            fetcher.stop(); // an Error the fetcher does not catch, as an OutOfMemoryError would be
            fetcher.join(WAIT_MS);
            assertThat(fetcher.isAlive()).isFalse();

            produce(producer, tp, 3);
            assertThat(eventually(() -> log(cluster, follower, tp).logEndOffset() == 5))
                    .as("a new fetcher replicates the partition")
                    .isTrue();
        }
    }

    @Test
    void numReplicaFetchersSpreadsPartitionsOverThatManyThreads() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 2, Map.of("num.replica.fetchers", "2"))) {
            List<TopicPartition> all = create(cluster, "spread", 8);
            KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1"));
            for (TopicPartition tp : all) {
                produce(producer, tp, 2);
            }
            for (TopicPartition tp : all) {
                int follower = 3 - leader(cluster, tp);
                assertThat(eventually(() -> log(cluster, follower, tp).logEndOffset() == 2))
                        .as(tp.toString())
                        .isTrue();
            }
            List<String> names = new ArrayList<>();
            fetcherThreads(1).forEach(t -> names.add(t.getName()));
            fetcherThreads(2).forEach(t -> names.add(t.getName()));
            assertThat(names).anyMatch(n -> n.endsWith("-0")).anyMatch(n -> n.endsWith("-1"));
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The live replica fetcher threads of {@code broker}. */
    private static List<Thread> fetcherThreads(int broker) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("skein-replica-fetcher-" + broker + "-") && t.isAlive())
                .toList();
    }
}
