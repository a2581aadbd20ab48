package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * librdkafka's balanced consumer ({@code kcat -G}) against Skein's group coordinator: two long-running kcat
 * processes share a 4-partition topic, each record is consumed once by the member that owns its partition, the
 * auto-committed offsets reach the end of the log, and when one member leaves the other takes over its partitions.
 */
class KcatGroupIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 100;

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @BeforeAll
    static void requireKcat() throws Exception {
        Kcat.assumeInstalled();
    }

    /** librdkafka's default eager assignors, and the incremental (cooperative) protocol. */
    @ParameterizedTest(name = "assignor {0}")
    @ValueSource(strings = {"range,roundrobin", "cooperative-sticky"})
    void twoBalancedConsumersSplitPartitionsConsumeOwnRecordsAndCommitTheEnd(String assignor) throws Exception {
        String topic = "kcat-group-" + assignor.replace(',', '-');
        String group = "kcat-grp-" + assignor.replace(',', '-');
        skein.createTopic(topic, PARTITIONS);
        Admin admin = skein.admin();
        try (ExternalProcess a = groupConsumer("kcat-a", group, topic, assignor);
                ExternalProcess b = groupConsumer("kcat-b", group, topic, assignor)) {
            Map<String, Set<Integer>> owned = awaitStableAssignment(admin, group, Set.of("kcat-a", "kcat-b"));
            assertThat(owned.get("kcat-a")).doesNotContainAnyElementsOf(owned.get("kcat-b"));
            assertThat(union(owned)).containsExactlyInAnyOrderElementsOf(allPartitions());
            assertThat(owned.values())
                    .allSatisfy(partitions -> assertThat(partitions).isNotEmpty());

            Set<String> produced = produce(topic, "round1");
            awaitConsumed(produced, a, b);
            assertOwnersConsumedTheirPartitions(owned, Map.of("kcat-a", a, "kcat-b", b), "round1");
            awaitCommittedAtEnd(admin, group, topic);
            System.out.printf(
                    "kcat -G (%s): members %s consumed %d records exactly once each%n",
                    assignor, owned, produced.size());

            // one member leaves: the survivor is assigned every partition and consumes the next round
            b.close();
            Map<String, Set<Integer>> afterLeave = awaitStableAssignment(admin, group, Set.of("kcat-a"));
            assertThat(afterLeave.get("kcat-a")).containsExactlyInAnyOrderElementsOf(allPartitions());
            Set<String> second = produce(topic, "round2");
            awaitConsumed(second, a);
            awaitCommittedAtEnd(admin, group, topic);
        }
        ConsumerGroupDescription afterBoth =
                admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(afterBoth.groupState()).isEqualTo(GroupState.EMPTY);
        assertThat(afterBoth.members()).isEmpty();
    }

    /** librdkafka and the Java client agree on the protocol name "range": one group can mix both. */
    @Test
    void kcatAndJavaConsumerShareOneGroup() throws Exception {
        String topic = "kcat-java-mixed";
        String group = "kcat-java-mixed";
        skein.createTopic(topic, PARTITIONS);
        Admin admin = skein.admin();
        try (ExternalProcess kcat = groupConsumer("kcat-member", group, topic, "range");
                KafkaConsumer<String, String> java = skein.stringConsumer(Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG,
                        group,
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "java-member",
                        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                        RangeAssignor.class.getName(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        true,
                        ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG,
                        200))) {
            java.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> javaRecords = new ArrayList<>();
            Map<String, Set<Integer>> owned = new HashMap<>();
            Awaitility.await("kcat and java members stable")
                    .atMost(WAIT)
                    .ignoreExceptionsMatching(e -> e.getCause() instanceof GroupIdNotFoundException)
                    .until(() -> {
                        java.poll(Duration.ofMillis(100)).forEach(javaRecords::add);
                        owned.clear();
                        owned.putAll(assignment(admin, group));
                        return owned.keySet().equals(Set.of("kcat-member", "java-member"))
                                && union(owned).size() == PARTITIONS
                                && owned.get("kcat-member").size()
                                                + owned.get("java-member").size()
                                        == PARTITIONS
                                // the group is stable once the leader synced; the Java member applies its share
                                // on a later poll
                                && java.assignment().stream()
                                        .map(TopicPartition::partition)
                                        .collect(Collectors.toSet())
                                        .equals(owned.get("java-member"));
                    });

            Set<String> produced = produce(topic, "mixed");
            Awaitility.await("both members consumed their partitions")
                    .atMost(WAIT)
                    .until(() -> {
                        java.poll(Duration.ofMillis(100)).forEach(javaRecords::add);
                        Set<String> seen = consumedValues(kcat);
                        javaRecords.forEach(r -> seen.add(r.value()));
                        return seen.containsAll(produced);
                    });
            assertThat(javaRecords)
                    .allSatisfy(r -> assertThat(owned.get("java-member")).contains(r.partition()));
            assertOwnersConsumedTheirPartitions(owned, Map.of("kcat-member", kcat), "mixed");
            assertThat(javaRecords.size() + consumedLines(kcat).size())
                    .as("each record consumed once")
                    .isEqualTo(produced.size());
            System.out.printf("kcat + Java consumer in one group: %s%n", owned);
        }
    }

    private static Map<String, Set<Integer>> assignment(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description =
                admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        Map<String, Set<Integer>> owned = new HashMap<>();
        if (description.groupState() == GroupState.STABLE) {
            for (MemberDescription member : description.members()) {
                owned.put(
                        member.clientId(),
                        member.assignment().topicPartitions().stream()
                                .map(TopicPartition::partition)
                                .collect(Collectors.toSet()));
            }
        }
        return owned;
    }

    private static ExternalProcess groupConsumer(String clientId, String group, String topic, String assignor)
            throws Exception {
        return ExternalProcess.start(
                dir,
                clientId + "-" + group,
                Kcat.command(
                        skein.bootstrap(),
                        "-G",
                        group,
                        "-u",
                        "-q",
                        "-f",
                        "%p|%o|%k|%s\\n",
                        "-X",
                        "client.id=" + clientId,
                        "-X",
                        "auto.offset.reset=earliest",
                        "-X",
                        "auto.commit.interval.ms=200",
                        "-X",
                        "heartbeat.interval.ms=300",
                        "-X",
                        "session.timeout.ms=10000",
                        "-X",
                        "partition.assignment.strategy=" + assignor,
                        topic));
    }

    /** Member client id → assigned partitions, once the group is stable with exactly {@code clientIds}. */
    private static Map<String, Set<Integer>> awaitStableAssignment(Admin admin, String group, Set<String> clientIds) {
        return Awaitility.await("group " + group + " stable with " + clientIds)
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                // until the first member joins, the group does not exist
                .ignoreExceptionsMatching(e -> e.getCause() instanceof GroupIdNotFoundException)
                .until(
                        () -> {
                            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                                    .all()
                                    .get()
                                    .get(group);
                            if (description.groupState() != GroupState.STABLE) {
                                return Map.<String, Set<Integer>>of();
                            }
                            Map<String, Set<Integer>> owned = new HashMap<>();
                            for (MemberDescription member : description.members()) {
                                owned.put(
                                        member.clientId(),
                                        member.assignment().topicPartitions().stream()
                                                .map(TopicPartition::partition)
                                                .collect(Collectors.toSet()));
                            }
                            return owned;
                        },
                        owned ->
                                owned.keySet().equals(clientIds) && union(owned).size() == PARTITIONS);
    }

    /** Produces {@link #RECORDS_PER_PARTITION} records to each partition; returns the values. */
    private static Set<String> produce(String topic, String round) throws Exception {
        Set<String> values = new HashSet<>();
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < PARTITIONS * RECORDS_PER_PARTITION; i++) {
                int partition = i % PARTITIONS;
                String value = round + "-p" + partition + "-" + i;
                producer.send(new ProducerRecord<>(topic, partition, "key-" + i, value));
                values.add(value);
            }
            producer.flush();
        }
        return values;
    }

    private static void awaitConsumed(Set<String> values, ExternalProcess... consumers) {
        Awaitility.await("kcat consumed " + values.size() + " records")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> consumedValues(consumers).containsAll(values));
        List<String> all = consumedLines(consumers).stream()
                .map(KcatGroupIT::value)
                .filter(values::contains)
                .toList();
        assertThat(all).as("each record consumed exactly once").hasSameSizeAs(values);
    }

    private static void assertOwnersConsumedTheirPartitions(
            Map<String, Set<Integer>> owned, Map<String, ExternalProcess> consumers, String round) {
        consumers.forEach((clientId, process) -> {
            List<String> lines = process.stdout()
                    .lines()
                    .filter(line -> value(line).startsWith(round))
                    .toList();
            assertThat(lines).as("records read by %s", clientId).isNotEmpty();
            for (String line : lines) {
                int partition = Integer.parseInt(line.split("\\|", 4)[0]);
                assertThat(owned.get(clientId)).as("%s read %s", clientId, line).contains(partition);
                assertThat(value(line)).contains("-p" + partition + "-");
            }
        });
    }

    private static void awaitCommittedAtEnd(Admin admin, String group, String topic) {
        Map<TopicPartition, OffsetSpec> latest = allPartitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        Awaitility.await("committed offsets of " + group + " at the log end")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Map<TopicPartition, Long> end = new HashMap<>();
                    admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get();
                    return end.entrySet().stream()
                            .allMatch(e -> committed.get(e.getKey()) != null
                                    && committed.get(e.getKey()).offset() == e.getValue());
                });
    }

    private static Set<String> consumedValues(ExternalProcess... consumers) {
        return consumedLines(consumers).stream().map(KcatGroupIT::value).collect(Collectors.toSet());
    }

    private static List<String> consumedLines(ExternalProcess... consumers) {
        return java.util.Arrays.stream(consumers)
                .flatMap(process -> process.stdout().lines())
                .filter(line -> line.split("\\|", 4).length == 4)
                .toList();
    }

    private static String value(String line) {
        String[] fields = line.split("\\|", 4);
        return fields.length == 4 ? fields[3] : "";
    }

    private static Set<Integer> union(Map<String, Set<Integer>> owned) {
        Set<Integer> all = new HashSet<>();
        owned.values().forEach(all::addAll);
        return all;
    }

    private static Set<Integer> allPartitions() {
        return IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
    }
}
