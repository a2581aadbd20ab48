package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skein.broker.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three in-process brokers replicating one partition: failover, min.insync.replicas, follower truncation. */
class ReplicationFailoverIT {
    @TempDir
    Path dir;

    @Test
    void acknowledgedRecordsSurviveLeaderFailover() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 3, Map.of())) {
            TopicPartition tp = new TopicPartition("orders", 0);
            cluster.createTopic(tp.topic(), 1, 3, Map.of("min.insync.replicas", "2"));
            int firstLeader = cluster.awaitLeader(tp);
            KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of());
            Map<Long, String> acknowledged = new TreeMap<>();
            send(producer, tp, "before", 50, acknowledged);

            cluster.stopBroker(firstLeader);
            int secondLeader = cluster.awaitLeader(tp);
            send(producer, tp, "after", 50, acknowledged);

            assertThat(secondLeader).isNotEqualTo(firstLeader);
            assertThat(cluster.state(tp).isr()).doesNotContain(firstLeader);
            assertThat(acknowledged).hasSize(100);
            assertThat(consumeAll(cluster, tp, 100)).isEqualTo(acknowledged);
            cluster.await("both live replicas in sync", tp, state -> state.isr().size() == 2);
            List<Integer> live = cluster.liveIds();
            assertThat(values(log(cluster, live.get(0), tp), 100))
                    .isEqualTo(values(log(cluster, live.get(1), tp), 100));
        }
    }

    @Test
    void acksAllIsRefusedWithNotEnoughReplicasWhenTwoOfThreeBrokersAreDown() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 3, Map.of())) {
            TopicPartition tp = new TopicPartition("strict", 0);
            cluster.createTopic(tp.topic(), 1, 3, Map.of("min.insync.replicas", "2"));
            int leader = cluster.awaitLeader(tp);
            for (int id : cluster.liveIds()) {
                if (id != leader) {
                    cluster.stopBroker(id);
                }
            }
            cluster.await(
                    "the ISR shrank to the leader", tp, state -> state.isr().equals(List.of(leader)));
            KafkaProducer<byte[], byte[]> strict = cluster.producer(
                    Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.RETRIES_CONFIG, 0));
            KafkaProducer<byte[], byte[]> relaxed = cluster.producer(
                    Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1"));

            Future<RecordMetadata> refused = strict.send(new ProducerRecord<>(tp.topic(), 0, null, bytes("x")));

            assertThatThrownBy(refused::get).hasCauseInstanceOf(NotEnoughReplicasException.class);
            assertThat(relaxed.send(new ProducerRecord<>(tp.topic(), 0, null, bytes("y")))
                            .get()
                            .offset())
                    .isZero();
        }
    }

    @Test
    void followerTruncatesToTheLeaderEpochBoundaryAfterAnUncleanElection() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 3, Map.of("unclean.leader.election.enable", "true"))) {
            TopicPartition tp = new TopicPartition("diverge", 0);
            cluster.createTopic(tp.topic(), 1, 3, Map.of());
            int oldLeader = cluster.awaitLeader(tp);
            List<Integer> others = new ArrayList<>(cluster.liveIds());
            others.remove(Integer.valueOf(oldLeader));
            KafkaProducer<byte[], byte[]> all = cluster.producer(Map.of());
            send(all, tp, "common", 5, new TreeMap<>());
            others.forEach(cluster::stopBroker);
            cluster.await(
                    "the ISR shrank to the leader", tp, state -> state.isr().equals(List.of(oldLeader)));
            KafkaProducer<byte[], byte[]> one = cluster.producer(
                    Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1"));
            send(one, tp, "lost", 3, new TreeMap<>());
            cluster.stopBroker(oldLeader);

            int newLeader = others.get(0);
            cluster.startBroker(newLeader);
            assertThat(cluster.awaitLeader(tp)).isEqualTo(newLeader);
            KafkaProducer<byte[], byte[]> toNewLeader = cluster.producer(
                    Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "1"));
            send(toNewLeader, tp, "new", 4, new TreeMap<>());
            cluster.startBroker(oldLeader);
            cluster.await(
                    "the old leader rejoined the ISR", tp, state -> state.isr().contains(oldLeader));

            List<String> expected = List.of(
                    "common-0", "common-1", "common-2", "common-3", "common-4", "new-0", "new-1", "new-2", "new-3");
            assertThat(values(log(cluster, newLeader, tp), 9)).isEqualTo(expected);
            assertThat(values(log(cluster, oldLeader, tp), 9)).isEqualTo(expected);
            assertThat(log(cluster, oldLeader, tp).logEndOffset()).isEqualTo(9);
        }
    }

    @Test
    void followerBelowTheLeadersLogStartRestartsThereAndRejoins() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(
                dir, 3, Map.of("log.retention.check.interval.ms", "100", "skein.topic.segment.bytes.min", "1024"))) {
            TopicPartition tp = new TopicPartition("retained", 0);
            cluster.createTopic(
                    tp.topic(),
                    1,
                    3,
                    Map.of("segment.bytes", "1024", "retention.bytes", "2048", "min.insync.replicas", "1"));
            int leader = cluster.awaitLeader(tp);
            int follower = cluster.liveIds().stream()
                    .filter(id -> id != leader)
                    .findFirst()
                    .orElseThrow();
            KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 200));
            send(producer, tp, "early", 5, new TreeMap<>());
            cluster.stopBroker(follower);
            send(producer, tp, "late-record-with-some-padding", 300, new TreeMap<>());
            // Retention runs every 100 ms; keep producing until it deleted what the follower lacks.
            for (int round = 0; round < 200 && log(cluster, leader, tp).logStartOffset() <= 5; round++) {
                send(producer, tp, "late-record-with-some-padding", 10, new TreeMap<>());
            }
            assertThat(log(cluster, leader, tp).logStartOffset()).isGreaterThan(5);

            cluster.startBroker(follower);
            cluster.await(
                    "the follower rejoined the ISR", tp, state -> state.isr().contains(follower));

            PartitionLog leaderLog = log(cluster, leader, tp);
            PartitionLog followerLog = log(cluster, follower, tp);
            assertThat(followerLog.logEndOffset()).isEqualTo(leaderLog.logEndOffset());
            assertThat(followerLog.logStartOffset()).isGreaterThan(5);
            assertThat(values(followerLog, 3)).allMatch(value -> value.startsWith("late-"));
        }
    }

    static void send(
            KafkaProducer<byte[], byte[]> producer,
            TopicPartition tp,
            String prefix,
            int count,
            Map<Long, String> acknowledged)
            throws InterruptedException, ExecutionException {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, bytes(prefix + "-" + i))));
        }
        for (int i = 0; i < count; i++) {
            acknowledged.put(futures.get(i).get().offset(), prefix + "-" + i);
        }
    }

    static Map<Long, String> consumeAll(ClusterHarness cluster, TopicPartition tp, int expected) {
        KafkaConsumer<byte[], byte[]> consumer = cluster.consumer();
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        Map<Long, String> seen = new TreeMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.size() < expected && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                seen.put(record.offset(), new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        return seen;
    }

    static PartitionLog log(ClusterHarness cluster, int brokerId, TopicPartition tp) {
        return cluster.broker(brokerId).partitions().get(tp).orElseThrow().log();
    }

    /** The values of the first {@code count} records of a replica's local log. */
    static List<String> values(PartitionLog log, int count) {
        List<String> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (out.size() < count && offset < log.logEndOffset()) {
            for (RecordBatch batch : log.read(offset, 1 << 20, log.logEndOffset(), true)
                    .records()
                    .batches()) {
                for (Record record : batch) {
                    if (out.size() < count) {
                        byte[] value = new byte[record.valueSize()];
                        record.value().get(value);
                        out.add(new String(value, StandardCharsets.UTF_8));
                    }
                }
                offset = batch.nextOffset();
            }
        }
        return out;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
