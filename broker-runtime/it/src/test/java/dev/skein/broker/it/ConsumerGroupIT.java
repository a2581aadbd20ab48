package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Consumer groups with unmodified Java consumers and AdminClient against a real broker over TCP. */
class ConsumerGroupIT {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 6;

    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void startBroker() throws Exception {
        harness = BrokerHarness.start(
                dataDir,
                Map.of(
                        "group.initial.rebalance.delay.ms", "0",
                        "group.min.session.timeout.ms", "500",
                        "offsets.topic.num.partitions", "5"));
        harness.createTopic(TOPIC, PARTITIONS, Map.of());
    }

    @AfterEach
    void stopBroker() throws Exception {
        harness.close();
    }

    private KafkaConsumer<byte[], byte[]> member(String group, Class<?> assignor, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName());
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 3000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
        props.putAll(extra);
        return harness.consumer(props);
    }

    private void produce(int from, int count) {
        KafkaProducer<byte[], byte[]> producer = harness.producer(Map.of());
        for (int i = from; i < from + count; i++) {
            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, bytes("r" + i)));
        }
        producer.flush();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Polls every member (commitSync after each batch) until their assignments partition the topic exactly. */
    private static void pollUntilBalanced(List<KafkaConsumer<byte[], byte[]>> members, Set<String> consumed) {
        for (int round = 0; round < 600; round++) {
            for (KafkaConsumer<byte[], byte[]> c : members) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    consumed.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                try {
                    c.commitSync();
                } catch (RebalanceInProgressException e) {
                    // Cooperative rebalance under way: the uncommitted records come again to the next owner.
                }
            }
            if (balanced(members)) {
                return;
            }
        }
        throw new AssertionError("the group did not balance: " + assignments(members));
    }

    private static boolean balanced(List<KafkaConsumer<byte[], byte[]>> members) {
        Set<TopicPartition> union = new HashSet<>();
        int total = 0;
        for (KafkaConsumer<byte[], byte[]> c : members) {
            if (c.assignment().isEmpty()) {
                return false;
            }
            union.addAll(c.assignment());
            total += c.assignment().size();
        }
        return union.size() == PARTITIONS && total == PARTITIONS;
    }

    /** Like {@link #balanced} but members may own nothing (more members than partitions). */
    private static boolean balancedAmong(List<KafkaConsumer<byte[], byte[]>> members) {
        Set<TopicPartition> union = new HashSet<>();
        int total = 0;
        for (KafkaConsumer<byte[], byte[]> c : members) {
            union.addAll(c.assignment());
            total += c.assignment().size();
        }
        return union.size() == PARTITIONS && total == PARTITIONS;
    }

    private static List<Set<TopicPartition>> assignments(List<KafkaConsumer<byte[], byte[]>> members) {
        List<Set<TopicPartition>> result = new ArrayList<>();
        members.forEach(c -> result.add(c.assignment()));
        return result;
    }

    @ParameterizedTest
    @ValueSource(classes = {RangeAssignor.class, CooperativeStickyAssignor.class, RoundRobinAssignor.class})
    void everyPartitionHasOneOwnerAndNoRecordIsLostAcrossRebalances(Class<?> assignor) throws Exception {
        String group = "g-" + assignor.getSimpleName();
        Set<String> consumed = new HashSet<>();
        produce(0, 300);
        List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            KafkaConsumer<byte[], byte[]> c = member(group, assignor, Map.of());
            c.subscribe(List.of(TOPIC));
            members.add(c);
            pollUntilBalanced(members, consumed);
            produce(300 + i * 100, 100);
        }
        KafkaConsumer<byte[], byte[]> leaving = members.remove(1);
        leaving.close();
        pollUntilBalanced(members, consumed);
        produce(600, 100);
        KafkaConsumer<byte[], byte[]> rejoining = member(group, assignor, Map.of());
        rejoining.subscribe(List.of(TOPIC));
        members.add(rejoining);
        pollUntilBalanced(members, consumed);
        for (int round = 0; round < 400 && consumed.size() < 700; round++) {
            pollUntilBalanced(members, consumed);
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 700; i++) {
            expected.add("r" + i);
        }
        assertThat(consumed).containsAll(expected);
    }

    @Test
    void committedOffsetsSurviveARestartAndTheConsumerResumesThere() throws Exception {
        produce(0, 60);
        KafkaConsumer<byte[], byte[]> first = member("resume", RangeAssignor.class, Map.of());
        first.subscribe(List.of(TOPIC));
        int seen = 0;
        for (int round = 0; round < 400 && seen < 60; round++) {
            seen += first.poll(Duration.ofMillis(50)).count();
        }
        assertThat(seen).isEqualTo(60);
        first.commitSync();
        first.close();
        harness.restart();
        produce(60, 6);
        KafkaConsumer<byte[], byte[]> second = member("resume", RangeAssignor.class, Map.of());
        second.subscribe(List.of(TOPIC));
        List<String> after = new ArrayList<>();
        for (int round = 0; round < 400 && after.size() < 6; round++) {
            second.poll(Duration.ofMillis(50)).forEach(r -> after.add(new String(r.value(), StandardCharsets.UTF_8)));
        }
        assertThat(after).containsExactlyInAnyOrder("r60", "r61", "r62", "r63", "r64", "r65");
    }

    @Test
    void autoCommitCommitSyncAndCommitAsyncAllPersist() throws Exception {
        produce(0, 12);
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        KafkaConsumer<byte[], byte[]> auto = member(
                "auto",
                RangeAssignor.class,
                Map.of(
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        true,
                        ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG,
                        50));
        auto.subscribe(List.of(TOPIC));
        int seen = 0;
        for (int round = 0; round < 400 && seen < 12; round++) {
            seen += auto.poll(Duration.ofMillis(50)).count();
        }
        auto.close(); // commits what was consumed
        KafkaConsumer<byte[], byte[]> async = harness.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "async"));
        async.assign(List.of(p0));
        AtomicBoolean asyncDone = new AtomicBoolean();
        async.commitAsync(Map.of(p0, new OffsetAndMetadata(1, "a")), (offsets, error) -> asyncDone.set(error == null));
        KafkaConsumer<byte[], byte[]> sync = harness.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "sync"));
        sync.assign(List.of(p0));
        sync.commitSync(Map.of(p0, new OffsetAndMetadata(2, "s")));
        for (int round = 0; round < 400 && !asyncDone.get(); round++) {
            async.poll(Duration.ofMillis(20)); // runs the commit callback
        }
        assertThat(asyncDone).isTrue();

        Admin admin = harness.admin();
        Map<TopicPartition, OffsetAndMetadata> autoOffsets = admin.listConsumerGroupOffsets("auto")
                .partitionsToOffsetAndMetadata()
                .get();
        assertThat(autoOffsets.values().stream()
                        .mapToLong(OffsetAndMetadata::offset)
                        .sum())
                .isEqualTo(12);
        assertThat(admin.listConsumerGroupOffsets("async")
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(p0))
                .isEqualTo(new OffsetAndMetadata(1, "a"));
        assertThat(admin.listConsumerGroupOffsets("sync")
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(p0))
                .isEqualTo(new OffsetAndMetadata(2, "s"));
    }

    @Test
    void adminListsDescribesAltersAndDeletesGroups() throws Exception {
        produce(0, 6);
        KafkaConsumer<byte[], byte[]> c = member("admin-g", RangeAssignor.class, Map.of());
        c.subscribe(List.of(TOPIC));
        for (int round = 0; round < 400 && c.assignment().size() < PARTITIONS; round++) {
            c.poll(Duration.ofMillis(50));
        }
        c.commitSync();
        Admin admin = harness.admin();

        assertThat(admin.listConsumerGroups().all().get())
                .extracting(l -> l.groupId())
                .contains("admin-g");
        ConsumerGroupDescription description =
                admin.describeConsumerGroups(List.of("admin-g")).all().get().get("admin-g");
        assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
        assertThat(description.members()).hasSize(1);
        assertThat(description.members().iterator().next().assignment().topicPartitions())
                .hasSize(PARTITIONS);
        assertThatThrownBy(() ->
                        admin.deleteConsumerGroups(List.of("admin-g")).all().get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(GroupNotEmptyException.class);

        c.close();
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        admin.alterConsumerGroupOffsets("admin-g", Map.of(p1, new OffsetAndMetadata(0)))
                .all()
                .get();
        assertThat(admin.listConsumerGroupOffsets("admin-g")
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(p1)
                        .offset())
                .isZero();
        admin.deleteConsumerGroupOffsets("admin-g", Set.of(p1)).all().get();
        assertThat(admin.listConsumerGroupOffsets("admin-g")
                        .partitionsToOffsetAndMetadata()
                        .get())
                .doesNotContainKey(p1)
                .hasSize(PARTITIONS - 1);
        admin.deleteConsumerGroups(List.of("admin-g")).all().get();
        assertThat(admin.listConsumerGroups().all().get())
                .extracting(l -> l.groupId())
                .doesNotContain("admin-g");
    }

    @Test
    void measuresJoinTimeForOneAndTenConsumers() throws Exception {
        Admin admin = harness.admin();
        for (int n : new int[] {1, 10}) {
            List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < n; i++) {
                KafkaConsumer<byte[], byte[]> c = member("join-" + n, RangeAssignor.class, Map.of());
                c.subscribe(List.of(TOPIC));
                members.add(c);
            }
            boolean joined = false;
            for (int round = 0; round < 2000 && !joined; round++) {
                members.forEach(c -> c.poll(Duration.ofMillis(10)));
                joined = balancedAmong(members)
                        && admin.describeConsumerGroups(List.of("join-" + n))
                                        .all()
                                        .get()
                                        .get("join-" + n)
                                        .members()
                                        .size()
                                == n;
            }
            System.out.printf(
                    "Group join time for %d consumer(s): %d ms%n", n, (System.nanoTime() - started) / 1_000_000);
            assertThat(joined).isTrue();
            members.forEach(KafkaConsumer::close);
        }
    }
}
